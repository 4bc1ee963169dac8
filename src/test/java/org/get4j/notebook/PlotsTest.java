package org.get4j.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.Map;
import org.get4j.metrics.FdEstimate;
import org.junit.jupiter.api.Test;

class PlotsTest {
    /** A log axis runs between labelled ticks around the data (notebook 03: 0.127 ... 0.82 gives 0.1 ... 0.9). */
    @Test
    void logAxesEndAtLabelledTicks() {
        assertEquals(0.1, Plots.tickAtOrBelow(0.127), 1e-15);
        assertEquals(0.9, Plots.tickAtOrAbove(0.82), 1e-15);
        assertEquals(0.2, Plots.tickAtOrBelow(0.2), 1e-15);
        assertEquals(0.2, Plots.tickAtOrAbove(0.2), 1e-15);
        assertEquals(30, Plots.tickAtOrBelow(34.2), 1e-12);
        assertEquals(40, Plots.tickAtOrAbove(34.2), 1e-12);
        assertEquals(1.0, Plots.tickAtOrAbove(0.95), 1e-15);
    }

    /** A chart is made tall enough for a readable label at every tick of up to three decades; wider, decades only. */
    @Test
    void logChartsGrowWithTheirDecades() {
        assertEquals(400, Plots.height(400, null));
        assertEquals(400, Plots.height(400, new double[] {100, 700}), "under a decade: the base height");
        int tall = Plots.height(400, new double[] {3, 700});
        assertEquals(Math.round(160 + Plots.PIXELS_PER_DECADE * Math.log10(700 / 3.0)), tall);
        assertTrue(tall > 700, "2.4 decades: " + tall);
        assertEquals(400, Plots.height(400, new double[] {3, 20_000}), "3.8 decades label decades only");
    }

    /** Point names never overprint: a crowded name moves below its point, then upwards until it is clear. */
    @Test
    void pointNamesMoveAsideInsteadOfOverprinting() {
        java.util.List<double[]> placed = new java.util.ArrayList<>();
        placed.add(Plots.labelSpot(placed, 0.23, 1100, 1060, 1, 400));
        assertEquals(1100, placed.get(0)[1], 0, "alone: above its point");
        placed.add(Plots.labelSpot(placed, 0.29, 1100, 1060, 1, 400));
        assertEquals(1060, placed.get(1)[1], 0, "a neighbour above: below its point");
        double[] third = Plots.labelSpot(placed, 0.26, 1100, 1060, 1, 400);
        assertTrue(third[1] >= 1100 + 0.06 * 400, "both taken: above them, at " + third[1]);
        assertEquals(1100, Plots.labelSpot(placed, 0.8, 1100, 1060, 1, 400)[1], 0, "far away in x: above");
    }

    /** Every labelled tick of a log axis prints as its own value: 1e-4 was printed "0" on notebook 04's residuals. */
    @Test
    void logTickLabelsReadBackAsTheirValues() throws Exception {
        for (double lo : new double[] {1e-7, 3e-4, 0.002, 0.1, 2, 30}) {
            java.text.DecimalFormat format = new java.text.DecimalFormat(Plots.logTickPattern(lo));
            java.util.Set<String> labels = new java.util.HashSet<>();
            for (int k = (int) Math.floor(Math.log10(lo)); k <= 4; k++) {
                for (int d = 1; d <= 9; d++) {
                    double tick = Plots.tickAtOrBelow(d * Math.pow(10, k));
                    String label = format.format(tick);
                    assertEquals(tick, format.parse(label).doubleValue(), tick * 1e-9, "lo " + lo + ": " + label);
                    assertTrue(labels.add(label), "two ticks print as " + label);
                }
            }
        }
    }

    /** A quality plot shows every interval whole and the floor, however far below the data it lies. */
    @Test
    void qualityPlotsFrameEveryBarAndTheFloor() {
        // an asymmetric interval gets a bar of its larger side, so the bar covers it
        assertEquals(5.0, Plots.errorBar(new FdEstimate(30, 25, 33, 2000)), 1e-12);
        // XChart draws a log-axis category error bar from value / e to value * e: e must cover value -+ error
        double e = Plots.logAxisErrorBar(100, 5);
        assertEquals(95, 100 / e, 1e-9);
        assertTrue(100 * e >= 105);
        assertEquals(1, Plots.logAxisErrorBar(100, 0));
        assertEquals(1, Plots.logAxisErrorBar(100, Double.NaN));
        Map<String, Plots.Curve> curves = Map.of("teacher", new Plots.Curve(new double[] {5, 35},
                new FdEstimate[] {new FdEstimate(420, 400, 445, 2000), new FdEstimate(12, 11, 13, 2000)}));
        double[] range = Plots.qualityRange(curves, Map.of("floor", 3.6));
        assertEquals(3.0, range[0], 1e-12);
        assertEquals(500, range[1], 1e-9);
        BufferedImage chart = Plots.quality("t", "NFE", true, curves, Map.of("floor", 3.6));
        assertEquals(640, chart.getWidth());
        assertEquals(Plots.height(460, range), chart.getHeight(), "2.2 decades: taller, every tick labelled");
    }

    @Test
    void labelledPicturesSitSideBySide() {
        BufferedImage a = new BufferedImage(64, 40, BufferedImage.TYPE_INT_RGB);
        BufferedImage b = new BufferedImage(32, 50, BufferedImage.TYPE_INT_RGB);
        Map<String, BufferedImage> panels = new java.util.LinkedHashMap<>();
        panels.put("a", a);
        panels.put("b", b);
        BufferedImage both = Pictures.labelled(panels);
        assertEquals(64 + 32 + 3 * 16, both.getWidth());
        assertEquals(50 + 22 + 16, both.getHeight());
        assertEquals(0, both.getRGB(16 + 64 + 16 + 5, 22 + 45) & 0xFFFFFF, "b's black pixels at its place");
        assertEquals(0xFFFFFF, both.getRGB(16 + 5, 22 + 45) & 0xFFFFFF, "white below the shorter a");
    }
}
