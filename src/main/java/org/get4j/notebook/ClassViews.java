package org.get4j.notebook;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.get4j.Get4jException;
import org.get4j.data.ImageSet;
import org.get4j.deq.SolverConfig;
import org.get4j.diffusion.Denoiser;
import org.get4j.diffusion.EdmSampler;
import org.get4j.diffusion.SamplerConfig;
import org.get4j.metrics.ClassAgreement;
import org.get4j.metrics.Evaluation;
import org.get4j.metrics.FdEstimate;
import org.get4j.metrics.PerClassQuality;
import org.get4j.metrics.Scoring;
import org.get4j.metrics.StudentEvaluation;
import org.get4j.metrics.TeacherQuality;
import org.get4j.model.Checkpoints;
import org.get4j.model.Generator;
import org.get4j.model.GetModel;
import org.get4j.pairs.SeededNoise;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Views of class-conditional generation (issue 24): a grid with one row per class, and quality class by class.
 *
 * <p>In a class grid, column j of every row starts from the same noise (seed + j): down a column only the label
 * changes, so the grid shows what the class embedding alone does to the image.
 */
public final class ClassViews {
    private ClassViews() {}

    /** The label of every image of a class grid, row by row: class c repeated {@code perClass} times. */
    static long[] rowLabels(int classes, int perClass) {
        long[] labels = new long[classes * perClass];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i / perClass;
        }
        return labels;
    }

    /** The noise of a class grid: the noise of seeds seed .. seed + perClass - 1, once per row. */
    static NDArray rowNoise(NDManager m, int classes, int perClass, long seed, int channels, int size) {
        int px = channels * size * size;
        float[] row = SeededNoise.noise(seed, perClass, px);
        float[] all = new float[classes * row.length];
        for (int c = 0; c < classes; c++) {
            System.arraycopy(row, 0, all, c * row.length, row.length);
        }
        return m.create(all, new Shape((long) classes * perClass, channels, size, size));
    }

    /**
     * A conditional student's class grid: each image from one network evaluation (GET: the equilibrium solve of
     * {@link SolverConfig#sampling()}), read from the EMA weights of {@code checkpoint}.
     */
    public static BufferedImage studentGrid(NDManager manager, Path checkpoint, int perClass, long seed) {
        try (NDManager m = manager.newSubManager()) {
            Generator g = Checkpoints.load(checkpoint, m, null, Checkpoints.Weights.EMA);
            int classes = requireConditional(g.config().numClasses(), checkpoint.toString());
            NDArray noise = rowNoise(m, classes, perClass, seed, g.config().channels(), g.config().imageSize());
            // the start state of column j too is the same in every row (zero at z0 scale 0, drawn from seed j else)
            NDArray z0 = g instanceof GetModel get ? tiled(get.initialState(m, perClass, seed), classes) : null;
            try (Generator.Sample s = g.sample(new ParameterStore(m, false), noise,
                    m.create(rowLabels(classes, perClass)), z0, SolverConfig.sampling())) {
                return withClassLabels(Pictures.grid(s.images().toType(DataType.FLOAT32, false), perClass), classes);
            }
        }
    }

    /** A conditional teacher's class grid at its reference cost (18 Heun steps, 35 evaluations per image). */
    public static BufferedImage teacherGrid(NDManager manager, Denoiser teacher, int perClass, long seed) {
        int classes = requireConditional(teacher.numClasses(), teacher.identity());
        try (NDManager m = manager.newSubManager()) {
            NDArray noise = rowNoise(m, classes, perClass, seed, teacher.channels(), teacher.imageSize());
            NDArray images = new EdmSampler(SamplerConfig.reference()).sample(teacher, noise,
                    m.create(rowLabels(classes, perClass)));
            return withClassLabels(Pictures.grid(images.toType(DataType.FLOAT32, false), perClass), classes);
        }
    }

    /** {@code x} repeated {@code times} along its first axis, whole: [x; x; ...]. */
    static NDArray tiled(NDArray x, int times) {
        long[] repeats = new long[x.getShape().dimension()];
        java.util.Arrays.fill(repeats, 1);
        repeats[0] = times;
        return x.tile(repeats);
    }

    private static int requireConditional(int classes, String what) {
        if (classes < 1) {
            throw new Get4jException(what + " is unconditional: a class grid needs a class-conditional model");
        }
        return classes;
    }

    private static BufferedImage withClassLabels(BufferedImage grid, int classes) {
        String[] names = new String[classes];
        for (int c = 0; c < classes; c++) {
            names[c] = Integer.toString(c);
        }
        return Pictures.withRowLabels(grid, names);
    }

    /**
     * One row per class, and for each model its FD to the class's test images with the 95% interval and its class
     * agreement; the floor of the first model's sample count at the end (the models are compared at one count).
     */
    public static Table table(Map<String, List<PerClassQuality.Row>> byModel) {
        if (byModel.isEmpty()) {
            throw new IllegalArgumentException("no models");
        }
        List<PerClassQuality.Row> first = byModel.values().iterator().next();
        Table t = Table.create("Quality class by class")
                .addColumns(IntColumn.create("class", first.stream().mapToInt(PerClassQuality.Row::label).toArray()));
        for (Map.Entry<String, List<PerClassQuality.Row>> e : byModel.entrySet()) {
            if (e.getValue().size() != first.size()) {
                throw new IllegalArgumentException(e.getKey() + " has " + e.getValue().size() + " classes, not "
                        + first.size());
            }
            t.addColumns(StringColumn.create(e.getKey() + " FD [95%]",
                    e.getValue().stream().map(r -> r.fd().toString()).toList()));
            t.addColumns(StringColumn.create(e.getKey() + " agreement [95%]",
                    e.getValue().stream().map(r -> r.agreement().toString()).toList()));
        }
        t.addColumns(StringColumn.create(String.format("floor (n = %,d)", first.get(0).fd().samples()),
                first.stream().map(r -> String.format("%.2f", r.floor())).toList()));
        return t;
    }

    /**
     * One row of the overall comparison: a model, what one image costs it, its FD and its class agreement ({@code null}
     * for an unconditional model, a reference for FD only).
     */
    public record Entry(String model, String cost, FdEstimate fd, ClassAgreement.Share agreement) {}

    /** The overall comparison: one row per model. */
    public static Table overall(List<Entry> entries) {
        return Table.create("Class-conditional samples against MNIST test").addColumns(
                StringColumn.create("model", entries.stream().map(Entry::model).toList()),
                StringColumn.create("network evaluations per image", entries.stream().map(Entry::cost).toList()),
                StringColumn.create(String.format("FD [95%%], n = %,d", entries.get(0).fd().samples()),
                        entries.stream().map(e -> e.fd().toString()).toList()),
                StringColumn.create("class agreement [95%]",
                        entries.stream().map(e -> e.agreement() == null ? "(no label)" : e.agreement().toString())
                                .toList()));
    }

    /**
     * A conditional teacher's quality class by class on n samples at its reference cost (35 evaluations), drawn from
     * the seeds the students' evaluation uses ({@link StudentEvaluation#SAMPLE_SEED} on; each for its seed's label).
     */
    public static TeacherScores teacherQuality(Denoiser teacher, Scoring scoring, ImageSet test, int n) {
        int classes = requireConditional(teacher.numClasses(), teacher.identity());
        Evaluation.ImageSource drawn = TeacherQuality.samples(teacher, SamplerConfig.reference(),
                StudentEvaluation.SAMPLE_SEED, n);
        int px = teacher.channels() * teacher.imageSize() * teacher.imageSize();
        float[] images = new float[n * px]; // drawn once (35 evaluations each), scored twice below
        for (int b = 0; b < n; b += 250) {
            try (NDManager m = org.get4j.runtime.TorchRuntime.newManager()) {
                float[] batch = drawn.batch(m, b, Math.min(n, b + 250)).toFloatArray();
                System.arraycopy(batch, 0, images, b * px, batch.length);
            }
        }
        Evaluation.ImageSource samples = Evaluation.ImageSource.of(org.get4j.io.HostTensor.ofFloats(images, n,
                teacher.channels(), teacher.imageSize(), teacher.imageSize()), teacher.identity());
        return new TeacherScores(scoring.estimate(samples, 250), PerClassQuality.measure(scoring.fx(), samples,
                SeededNoise.labels(StudentEvaluation.SAMPLE_SEED, n, classes), test, scoring.train(), 250));
    }

    /** A conditional teacher's FD over all its samples and its quality class by class, from the same samples. */
    public record TeacherScores(FdEstimate fd, List<PerClassQuality.Row> classes) {}

    /** FD class by class for each model, with intervals, and the floor of each class as a dashed curve. */
    public static BufferedImage fdByClass(Map<String, List<PerClassQuality.Row>> byModel, String metric) {
        Map<String, Plots.Curve> curves = new LinkedHashMap<>();
        List<PerClassQuality.Row> first = byModel.values().iterator().next();
        for (Map.Entry<String, List<PerClassQuality.Row>> e : byModel.entrySet()) {
            curves.put(e.getKey(), new Plots.Curve(classes(e.getValue()),
                    e.getValue().stream().map(PerClassQuality.Row::fd).toArray(FdEstimate[]::new)));
        }
        // the floor differs by class, so it is a curve (no interval) rather than one line
        // the legend names it briefly and the axis gives the count, so the legend fits below the chart
        curves.put("floor (real vs real)",
                new Plots.Curve(classes(first), first.stream().map(r -> new FdEstimate(r.floor(), r.floor(), r.floor(),
                        r.fd().samples())).toArray(FdEstimate[]::new)));
        return Plots.quality(metric + " to the test images of each class (lower is better)",
                String.format("class (%,d samples each)", first.get(0).fd().samples()), false, curves, Map.of());
    }

    /**
     * Class agreement class by class for each model, in percent up to 100 from {@link #agreementAxisMin}, with 95%
     * Wilson intervals as vertical bars; each model's points sit a little apart along x, so that equal values do not
     * hide one another.
     */
    public static BufferedImage agreementByClass(Map<String, List<PerClassQuality.Row>> byModel) {
        org.knowm.xchart.XYChart chart = new org.knowm.xchart.XYChartBuilder().width(640).height(420)
                .title("Class agreement: the share LeNet assigns to the class asked for").xAxisTitle("class")
                .yAxisTitle("agreement (%; bars: 95% intervals)").build();
        var styler = chart.getStyler();
        styler.setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
        styler.setSeriesColors(Plots.PALETTE);
        styler.setChartBackgroundColor(java.awt.Color.WHITE);
        styler.setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Horizontal);
        styler.setMarkerSize(8);
        styler.setYAxisMin(agreementAxisMin(byModel));
        styler.setYAxisMax(100.0);
        styler.setXAxisDecimalPattern("0");
        styler.setXAxisMin(-0.5);
        styler.setXAxisMax(9.5);
        int k = 0;
        for (Map.Entry<String, List<PerClassQuality.Row>> e : byModel.entrySet()) {
            List<PerClassQuality.Row> rows = e.getValue();
            java.awt.Color color = Plots.PALETTE[k % Plots.PALETTE.length];
            double offset = (k++ - (byModel.size() - 1) / 2.0) * 0.15;
            double[] x = rows.stream().mapToDouble(r -> r.label() + offset).toArray();
            double[] y = rows.stream().mapToDouble(r -> 100 * r.agreement().share()).toArray();
            chart.addSeries(e.getKey(), x, y).setMarkerColor(color).setMarker(MARKERS[(k - 1) % MARKERS.length]);
            // the Wilson interval is asymmetric near 100%: each is drawn as its own segment, not a symmetric error bar
            for (int i = 0; i < rows.size(); i++) {
                ClassAgreement.Share a = rows.get(i).agreement();
                var bar = chart.addSeries(e.getKey() + " interval " + i, new double[] {x[i], x[i]},
                        new double[] {100 * a.low(), 100 * a.high()});
                bar.setXYSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Line)
                        .setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE).setLineColor(color)
                        .setLineStyle(org.knowm.xchart.style.lines.SeriesLines.SOLID).setLineWidth(1.5f).setShowInLegend(false);
            }
        }
        return org.knowm.xchart.BitmapEncoder.getBufferedImage(chart);
    }

    private static final org.knowm.xchart.style.markers.Marker[] MARKERS = {
        org.knowm.xchart.style.markers.SeriesMarkers.CIRCLE, org.knowm.xchart.style.markers.SeriesMarkers.DIAMOND,
        org.knowm.xchart.style.markers.SeriesMarkers.SQUARE, org.knowm.xchart.style.markers.SeriesMarkers.TRIANGLE_UP};

    /**
     * The agreement axis starts at the multiple of 10 below the lowest interval, at least 1 point under it: models near
     * 100% are told apart instead of stacking at the top of a 0-100 axis, and a model near chance (10%) still shows
     * the whole range.
     */
    static double agreementAxisMin(Map<String, List<PerClassQuality.Row>> byModel) {
        double lowest = byModel.values().stream().flatMap(List::stream)
                .mapToDouble(r -> 100 * r.agreement().low()).filter(Double::isFinite).min().orElse(0);
        return Math.max(0, 10 * Math.floor((lowest - 1) / 10));
    }

    private static double[] classes(List<PerClassQuality.Row> rows) {
        return rows.stream().mapToDouble(PerClassQuality.Row::label).toArray();
    }
}
