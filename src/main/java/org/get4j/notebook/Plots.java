package org.get4j.notebook;

import java.awt.image.BufferedImage;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** XChart line charts rendered to images, which every Java kernel displays. */
public final class Plots {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {}

    /** Several named series against 1, 2, 3, ... on one chart. */
    public static BufferedImage lines(String title, String xLabel, String yLabel, boolean logY,
            Map<String, double[]> series) {
        XYChart chart = new XYChartBuilder().width(640).height(400).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        style(chart, logY);
        series.forEach((name, y) -> {
            double[] x = new double[y.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = i + 1;
            }
            chart.addSeries(name, x, positive(y, logY)).setMarker(SeriesMarkers.CIRCLE);
        });
        return BitmapEncoder.getBufferedImage(chart);
    }

    /** Named series with their own x values. */
    public static BufferedImage xy(String title, String xLabel, String yLabel, boolean logY, double[] x,
            Map<String, double[]> series) {
        XYChart chart = new XYChartBuilder().width(640).height(400).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        style(chart, logY);
        series.forEach((name, y) -> chart.addSeries(name, x, positive(y, logY)).setMarker(SeriesMarkers.CIRCLE));
        return BitmapEncoder.getBufferedImage(chart);
    }

    private static void style(XYChart chart, boolean logY) {
        chart.getStyler().setYAxisLogarithmic(logY);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setMarkerSize(5);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    }

    /** A log axis cannot show zeros: floor them at the smallest positive double a chart can draw. */
    private static double[] positive(double[] y, boolean logY) {
        if (!logY) {
            return y;
        }
        double[] out = y.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.max(out[i], 1e-300);
        }
        return out;
    }
}
