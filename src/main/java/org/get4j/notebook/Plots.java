package org.get4j.notebook;

import java.awt.image.BufferedImage;
import java.util.Map;
import org.get4j.metrics.FdEstimate;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
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
        double[] range = logY ? logRange(series) : null;
        XYChart chart = new XYChartBuilder().width(640).height(height(400, range)).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        style(chart, logY);
        series.forEach((name, y) -> {
            double[] x = new double[y.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = i + 1;
            }
            chart.addSeries(name, x, positive(y, logY)).setMarker(SeriesMarkers.CIRCLE);
        });
        if (range != null) {
            logYAxis(chart.getStyler(), range[0], range[1]);
        }
        return BitmapEncoder.getBufferedImage(chart);
    }

    /** Named series with their own x values. */
    public static BufferedImage xy(String title, String xLabel, String yLabel, boolean logY, double[] x,
            Map<String, double[]> series) {
        return xy(title, xLabel, yLabel, logY, x, series, null, new double[2][0]);
    }

    /**
     * Named series with their own x values, and marked points {x values, y values} drawn as crosses without a line
     * under the legend entry {@code markName} (say, runs that hit an evaluation budget); none when it is null.
     */
    public static BufferedImage xy(String title, String xLabel, String yLabel, boolean logY, double[] x,
            Map<String, double[]> series, String markName, double[][] marks) {
        double[] range = logY ? logRange(series) : null;
        XYChart chart = new XYChartBuilder().width(640).height(height(400, range)).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        style(chart, logY);
        series.forEach((name, y) -> chart.addSeries(name, x, positive(y, logY)).setMarker(SeriesMarkers.CIRCLE));
        if (markName != null && marks[0].length > 0) {
            org.knowm.xchart.XYSeries m = chart.addSeries(markName, marks[0], positive(marks[1], logY));
            m.setMarker(SeriesMarkers.CROSS);
            m.setLineStyle(SeriesLines.NONE);
            m.setMarkerColor(java.awt.Color.RED);
        }
        if (range != null) {
            logYAxis(chart.getStyler(), range[0], range[1]);
        }
        return BitmapEncoder.getBufferedImage(chart);
    }

    /** One curve of a quality plot: FD estimates, with their intervals, at x values. */
    public record Curve(double[] x, FdEstimate[] fd) {}

    /**
     * FD against x for named curves, each point with its 95% interval as an error bar (the larger side, so that the
     * bar covers the interval), and named reference lines (the real-versus-real floor, the teacher) dashed across the
     * x range. The legend sits below the chart, outside the data.
     */
    public static BufferedImage quality(String title, String xLabel, boolean logX, Map<String, Curve> curves,
            Map<String, Double> references) {
        // a horizontal legend below holds about five entries at this width; more go in a column to the right
        boolean column = curves.size() + references.size() > 5;
        double[] range = qualityRange(curves, references);
        XYChart chart = new XYChartBuilder().width(column ? 820 : 640).height(height(460, range)).title(title)
                .xAxisTitle(xLabel)
                .yAxisTitle("FD (log scale; bars: 95% intervals)").build();
        style(chart, true);
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setXAxisLogarithmicDecadeOnly(false);
        chart.getStyler().setLegendPosition(column ? Styler.LegendPosition.OutsideE : Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(column ? Styler.LegendLayout.Vertical : Styler.LegendLayout.Horizontal);
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, Curve> e : curves.entrySet()) {
            Curve c = e.getValue();
            double[] y = new double[c.x().length];
            double[] bar = new double[y.length];
            for (int i = 0; i < y.length; i++) {
                y[i] = c.fd()[i].fd();
                bar[i] = errorBar(c.fd()[i]);
                xMin = Math.min(xMin, c.x()[i]);
                xMax = Math.max(xMax, c.x()[i]);
            }
            chart.addSeries(e.getKey(), c.x(), y, bar).setMarker(SeriesMarkers.CIRCLE);
        }
        int k = 0;
        for (Map.Entry<String, Double> r : references.entrySet()) {
            org.knowm.xchart.XYSeries line = chart.addSeries(r.getKey(), new double[] {xMin, xMax},
                    new double[] {r.getValue(), r.getValue()});
            line.setMarker(SeriesMarkers.NONE).setLineStyle(REFERENCE_LINES[k % REFERENCE_LINES.length]);
            line.setLineColor(REFERENCE_COLORS[k++ % REFERENCE_COLORS.length]);
        }
        logYAxis(chart.getStyler(), range[0], range[1]);
        return BitmapEncoder.getBufferedImage(chart);
    }

    /** The larger side of the interval: a symmetric bar that covers it. */
    static double errorBar(FdEstimate f) {
        return Math.max(f.high() - f.fd(), f.fd() - f.low());
    }

    /** The y range of a quality plot: labelled ticks around every bar and every reference line. */
    static double[] qualityRange(Map<String, Curve> curves, Map<String, Double> references) {
        double lo = references.values().stream().mapToDouble(Double::doubleValue).min().orElse(Double.MAX_VALUE);
        double hi = references.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        for (Curve c : curves.values()) {
            for (FdEstimate f : c.fd()) {
                lo = Math.min(lo, Math.max(f.fd() - errorBar(f), f.fd() / 2));
                hi = Math.max(hi, f.fd() + errorBar(f));
            }
        }
        return new double[] {tickAtOrBelow(lo), tickAtOrAbove(hi)};
    }

    /** Named point clouds, each given as {x values, y values}, without lines. */
    public static BufferedImage scatter(String title, String xLabel, String yLabel, Map<String, double[][]> series) {
        return scatter(title, xLabel, yLabel, series, Map.of());
    }

    /**
     * Named point clouds whose points carry names too ({@code names} by series, in point order), written beside them.
     * A series given as {x, y, e} draws each point with the error bar y +- e.
     */
    public static BufferedImage scatter(String title, String xLabel, String yLabel, Map<String, double[][]> series,
            Map<String, String[]> names) {
        XYChart chart = new XYChartBuilder().width(480).height(360).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        style(chart, false);
        chart.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(9);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setAnnotationTextFontColor(java.awt.Color.DARK_GRAY);
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[][] xy : series.values()) {
            for (int i = 0; i < xy[1].length; i++) {
                double e = xy.length > 2 ? xy[2][i] : 0;
                lo = Math.min(lo, xy[1][i] - e);
                hi = Math.max(hi, xy[1][i] + e);
            }
        }
        double lift = 0.05 * Math.max(hi - lo, 1e-9); // names sit just above their points (and their bars)
        double xSpan = Math.max(1e-9, series.values().stream().flatMapToDouble(xy -> java.util.Arrays.stream(xy[0]))
                .max().orElse(1) - series.values().stream().flatMapToDouble(xy -> java.util.Arrays.stream(xy[0]))
                .min().orElse(0));
        java.util.List<double[]> placed = new java.util.ArrayList<>();
        double ySpan = Math.max(hi - lo, 1e-9);
        series.forEach((name, xy) -> {
            if (xy.length > 2) {
                chart.addSeries(name, xy[0], xy[1], xy[2]);
            } else {
                chart.addSeries(name, xy[0], xy[1]);
            }
            String[] labels = names.get(name);
            for (int i = 0; labels != null && i < labels.length; i++) {
                double bar = xy.length > 2 ? xy[2][i] : 0;
                double[] spot = labelSpot(placed, xy[0][i], xy[1][i] + bar + lift, xy[1][i] - bar - lift, xSpan, ySpan);
                placed.add(spot);
                chart.addAnnotation(new org.knowm.xchart.AnnotationText(labels[i], spot[0], spot[1], false));
            }
        });
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        chart.getStyler().setYAxisMin(lo - 3 * lift); // room for names moved below their points
        chart.getStyler().setYAxisMax(hi + 3 * lift);
        if (!names.isEmpty()) { // room for the names of the outermost points
            double left = series.values().stream().flatMapToDouble(xy -> java.util.Arrays.stream(xy[0])).min().orElse(0);
            double right = series.values().stream().flatMapToDouble(xy -> java.util.Arrays.stream(xy[0])).max()
                    .orElse(1);
            double pad = 0.18 * Math.max(right - left, 1e-9);
            chart.getStyler().setXAxisMin(left - pad);
            chart.getStyler().setXAxisMax(right + pad);
        }
        return BitmapEncoder.getBufferedImage(chart);
    }

    /**
     * Where a point's name goes: above the point, or below it when a name already placed there would overprint it
     * (two names closer than 15% of the x span and 6% of the y span), or above all the names it would overprint.
     */
    static double[] labelSpot(java.util.List<double[]> placed, double x, double above, double below, double xSpan,
            double ySpan) {
        java.util.function.DoublePredicate free = y -> placed.stream().noneMatch(
                p -> Math.abs(p[0] - x) < 0.15 * xSpan && Math.abs(p[1] - y) < 0.06 * ySpan);
        if (free.test(above)) {
            return new double[] {x, above};
        }
        if (free.test(below)) {
            return new double[] {x, below};
        }
        double y = above;
        while (!free.test(y)) {
            y += 0.06 * ySpan;
        }
        return new double[] {x, y};
    }

    /**
     * One bar per category with an error bar, on a log axis, and named horizontal reference lines across all bars
     * (the floor, the teacher). Category names stand vertically under their bars, so every one is readable.
     */
    public static BufferedImage barsWithIntervals(String title, String yLabel, java.util.List<String> categories,
            double[] values, double[] errors, Map<String, Double> lines) {
        double lo = java.util.Arrays.stream(values).min().orElse(1);
        double hi = 0;
        for (int i = 0; i < values.length; i++) {
            hi = Math.max(hi, values[i] + errors[i]);
        }
        for (double line : lines.values()) {
            lo = Math.min(lo, line);
            hi = Math.max(hi, line);
        }
        double[] range = {tickAtOrBelow(lo), tickAtOrAbove(hi)};
        org.knowm.xchart.CategoryChart chart = new org.knowm.xchart.CategoryChartBuilder().width(760)
                .height(height(560, range)).title(title).yAxisTitle(yLabel).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setSeriesColors(PALETTE);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setXAxisLabelRotation(90);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setErrorBarsColorSeriesColor(false);
        chart.getStyler().setOverlapped(true);
        chart.getStyler().setLabelsVisible(true); // each bar's value on it: the log axis labels decades only
        chart.getStyler().setDecimalPattern("#,##0.#");
        chart.getStyler().setLabelsPosition(0.92);
        double[] logErrors = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            logErrors[i] = logAxisErrorBar(values[i], errors[i]);
        }
        chart.addSeries("FD (error bars: 95% intervals)", categories, java.util.Arrays.stream(values).boxed().toList(),
                java.util.Arrays.stream(logErrors).boxed().toList());
        int k = 0;
        for (Map.Entry<String, Double> line : lines.entrySet()) {
            org.knowm.xchart.CategorySeries s = chart.addSeries(line.getKey(), categories,
                    java.util.Collections.nCopies(categories.size(), line.getValue()));
            s.setChartCategorySeriesRenderStyle(org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle.Line);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineStyle(REFERENCE_LINES[k % REFERENCE_LINES.length]);
            s.setLineColor(REFERENCE_COLORS[k++ % REFERENCE_COLORS.length]);
        }
        logYAxis(chart.getStyler(), range[0], range[1]);
        return BitmapEncoder.getBufferedImage(chart);
    }

    /**
     * The error value XChart's category chart needs on a log axis to draw the bar value +- error: it draws from
     * value / e to value * e (it adds log10(e) to log10(value)), so e = value / (value - error), the larger of the
     * two ratios, makes the bar cover [value - error, value + error]. No bar (1) for a zero or undefined error.
     */
    static double logAxisErrorBar(double value, double error) {
        if (!(error > 0) || !(value > 0)) {
            return 1;
        }
        return error >= value ? (value + error) / value : Math.max((value + error) / value, value / (value - error));
    }

    /** Charts side by side, {@code columns} per row, on a white background. */
    public static BufferedImage grid(java.util.List<BufferedImage> charts, int columns) {
        int w = charts.stream().mapToInt(BufferedImage::getWidth).max().orElse(1);
        int h = charts.stream().mapToInt(BufferedImage::getHeight).max().orElse(1);
        int rows = (charts.size() + columns - 1) / columns;
        BufferedImage out = new BufferedImage(w * Math.min(columns, charts.size()), h * rows, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = out.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        for (int i = 0; i < charts.size(); i++) {
            g.drawImage(charts.get(i), (i % columns) * w, (i / columns) * h, null);
        }
        g.dispose();
        return out;
    }

    /**
     * Okabe and Ito's colour-blind-safe palette (blue, vermillion, green, orange, purple, sky blue, yellow, black):
     * eight series stay distinct, where the default theme gave states 2 and 6 of a loss plot nearly one colour.
     */
    /**
     * Reference lines (the teacher, the floor) in dark greys with their own dash patterns, apart from the data's
     * colours: drawn after six curves they took the palette's yellow, which barely shows on white.
     */
    static final java.awt.Color[] REFERENCE_COLORS = {new java.awt.Color(0x444444), java.awt.Color.BLACK,
        new java.awt.Color(0x888888)};
    static final java.awt.BasicStroke[] REFERENCE_LINES = {SeriesLines.DASH_DASH, SeriesLines.DOT_DOT,
        SeriesLines.DASH_DOT};

    static final java.awt.Color[] PALETTE = {new java.awt.Color(0x0072B2), new java.awt.Color(0xD55E00),
        new java.awt.Color(0x009E73), new java.awt.Color(0xE69F00), new java.awt.Color(0xCC79A7),
        new java.awt.Color(0x56B4E9), new java.awt.Color(0xF0E442), java.awt.Color.BLACK};

    private static void style(XYChart chart, boolean logY) {
        chart.getStyler().setSeriesColors(PALETTE);
        chart.getStyler().setXAxisDecimalPattern("#,##0.##"); // not .083333333 or 2E3
        chart.getStyler().setYAxisDecimalPattern(logY ? "#,##0.###" : "#,##0.##");
        chart.getStyler().setYAxisLogarithmic(logY);
        // label ticks inside a decade too: a loss falling from 0.8 to 0.1 would otherwise show no y labels at all
        chart.getStyler().setYAxisLogarithmicDecadeOnly(false);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setMarkerSize(5);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    }

    /**
     * A log axis ends at the data, so a loss falling from 0.82 to 0.13 was labelled 0.2 ... 0.8 only: the axis runs
     * from the labelled tick below the smallest value (0.1) to the one above the largest (0.9). Null without a
     * positive finite value.
     */
    static double[] logRange(Map<String, double[]> series) {
        double[] all = series.values().stream().flatMapToDouble(java.util.Arrays::stream)
                .filter(v -> v > 0 && Double.isFinite(v)).toArray();
        if (all.length == 0) {
            return null;
        }
        return new double[] {tickAtOrBelow(java.util.Arrays.stream(all).min().getAsDouble()),
            tickAtOrAbove(java.util.Arrays.stream(all).max().getAsDouble())};
    }

    /** Pixels per decade of a log axis at which the labels of its 7, 8 and 9 ticks stand clear of each other. */
    static final int PIXELS_PER_DECADE = 240;

    /** Up to this many decades a log axis labels every 1-9 tick; beyond, decades only. */
    static final double DECADES_LABELLED = 3;

    /**
     * A chart's height: {@code base}, or taller when its log y axis spans up to {@link #DECADES_LABELLED} decades, so
     * that every 1-9 tick keeps a readable label (notebook 05's data, 250-700, sat in a decade without any label when
     * only decades were labelled); wider ranges label decades only.
     */
    static int height(int base, double[] logRange) {
        if (logRange == null) {
            return base;
        }
        double decades = Math.log10(logRange[1] / logRange[0]);
        return decades > DECADES_LABELLED ? base : Math.max(base, (int) Math.round(160 + PIXELS_PER_DECADE * decades));
    }

    /**
     * A log y axis from lo to hi (labelled ticks): every 1-9 tick labelled up to {@link #DECADES_LABELLED} decades (the
     * chart is made tall enough, {@link #height}), decades only beyond; the labels take {@link #logTickPattern}'s form.
     */
    private static void logYAxis(org.knowm.xchart.style.AxesChartStyler styler, double lo, double hi) {
        styler.setYAxisMin(lo);
        styler.setYAxisMax(hi);
        styler.setYAxisLogarithmicDecadeOnly(Math.log10(hi / lo) > DECADES_LABELLED);
        styler.setYAxisDecimalPattern(logTickPattern(lo));
    }

    /**
     * The label pattern of a log axis that starts at {@code lo}: plain decimals (0.002, 30, 1,000), or scientific
     * (1E-4) when the axis reaches below 0.001, where three decimals printed a solver residual of 1e-4 as "0".
     */
    static String logTickPattern(double lo) {
        return lo < 1e-3 ? "0.#E0" : lo < 1 ? "#,##0.###" : "#,##0.#"; // the bars' value labels use it too: 109.8
    }

    /** The largest d * 10^k (d = 1..9, the ticks a log axis labels) at or below v. */
    static double tickAtOrBelow(double v) {
        double decade = Math.pow(10, Math.floor(Math.log10(v)));
        return Math.floor(v / decade * (1 + 1e-12)) * decade;
    }

    /** The smallest d * 10^k (d = 1..10) at or above v. */
    static double tickAtOrAbove(double v) {
        double decade = Math.pow(10, Math.floor(Math.log10(v)));
        return Math.ceil(v / decade * (1 - 1e-12)) * decade;
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
