package org.get4j.notebook;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.get4j.Get4jException;
import org.get4j.ablation.IterationSweep;
import org.get4j.ablation.TrainingCost;
import org.get4j.deq.SolverKind;
import org.get4j.metrics.StudentEvaluation;
import org.get4j.model.Generator;
import org.get4j.model.GetModel;
import org.get4j.model.ModelConfig;
import org.get4j.pairs.SeededNoise;

/** The pictures of the ablation notebooks: anytime curves, iteration strips, quality against size and cost. */
public final class Ablations {
    private Ablations() {}

    /**
     * The checkpoint of a trained student called {@code name} (e.g. "get-mini"): the MNIST experiment's
     * ({@link Runs#mnistExperiment}: this machine's {@code runs/mnist/<name>}, else the shipped EMA weights in
     * {@code data/results/mnist/<name>}) when it exists, else the newest notebook run ({@code runs/<name>-*}).
     */
    public static Path student(String name) {
        Path experiment = Runs.mnistExperiment().dir().resolve(name).resolve("checkpoint.safetensors");
        if (Files.isRegularFile(experiment)) {
            return experiment;
        }
        try (Stream<Path> runs = Files.list(Runs.dir())) {
            return runs.filter(p -> p.getFileName().toString().startsWith(name + "-"))
                    .map(p -> p.resolve("checkpoint.safetensors")).filter(Files::isRegularFile)
                    .max(java.util.Comparator.comparing(p -> p.toFile().lastModified()))
                    .orElseThrow(() -> new Get4jException("no trained " + name + " under " + Runs.dir()
                            + ": run notebook 03 or environment/experiment-mnist first"));
        } catch (java.io.IOException e) {
            throw new Get4jException("no runs folder " + Runs.dir() + ": run notebook 03 first");
        }
    }

    /**
     * FD (with 95% intervals, beside the real-versus-real floor and the teacher at the same n), residual and speed
     * against iterations, one series per solver.
     */
    public static BufferedImage anytime(List<IterationSweep.Point> points, String metric, double floor,
            double teacher) {
        Map<String, Plots.Curve> quality = new LinkedHashMap<>();
        for (String solver : points.stream().map(IterationSweep.Point::solver).distinct().toList()) {
            List<IterationSweep.Point> of = IterationSweep.of(points, solver);
            quality.put(solver, new Plots.Curve(of.stream().mapToDouble(IterationSweep.Point::iterations).toArray(),
                    of.stream().map(IterationSweep.Point::estimate).toArray(org.get4j.metrics.FdEstimate[]::new)));
        }
        Map<String, Double> references = new LinkedHashMap<>();
        references.put("teacher", teacher);
        references.put("floor", floor);
        return Plots.grid(List.of(
                Plots.quality("quality: " + metric, "iterations", false, quality, references),
                curve(points, "equilibrium residual", "mean |f(z) - z| / |f(z)|", true,
                        IterationSweep.Point::relativeResidual),
                curve(points, "speed", "images / s", false, IterationSweep.Point::imagesPerSecond)), 3);
    }

    private static BufferedImage curve(List<IterationSweep.Point> points, String title, String y, boolean log,
            java.util.function.ToDoubleFunction<IterationSweep.Point> value) {
        Map<String, double[]> series = new LinkedHashMap<>();
        double[] x = null;
        for (String solver : points.stream().map(IterationSweep.Point::solver).distinct().toList()) {
            List<IterationSweep.Point> of = IterationSweep.of(points, solver);
            x = of.stream().mapToDouble(IterationSweep.Point::iterations).toArray();
            series.put(solver, of.stream().mapToDouble(value).toArray());
        }
        return Plots.xy(title, "iterations", y, log, x, series);
    }

    /**
     * The same noise and z0 sampled with k = {@code iterations} fixed-point iterations: one row per k, labelled, so
     * the picture shows the sample forming as the state approaches the equilibrium; with a teacher, its images of the
     * same noise (35 evaluations) as the last row, the target.
     */
    public static BufferedImage iterationStrip(NDManager manager, GetModel model, int[] iterations, int count,
            org.get4j.diffusion.Denoiser teacher) {
        ModelConfig c = model.config();
        int px = c.channels() * c.imageSize() * c.imageSize();
        try (NDManager m = manager.newSubManager()) {
            NDArray noise = m.create(SeededNoise.noise(StudentEvaluation.SAMPLE_SEED, count, px),
                    new ai.djl.ndarray.types.Shape(count, c.channels(), c.imageSize(), c.imageSize()));
            NDList rows = new NDList();
            List<String> labels = new java.util.ArrayList<>();
            for (int k : iterations) {
                NDArray z0 = model.initialState(m, count, StudentEvaluation.SAMPLE_SEED);
                Generator.Sample s = model.sample(new ParameterStore(m, false), noise, null, z0,
                        IterationSweep.solverAt(SolverKind.FIXED_POINT, k));
                rows.add(s.images());
                labels.add("k = " + k);
            }
            if (teacher != null) {
                org.get4j.diffusion.SamplerConfig reference = org.get4j.diffusion.SamplerConfig.reference();
                rows.add(new org.get4j.diffusion.EdmSampler(reference).sample(teacher, noise, null)
                        .toType(ai.djl.ndarray.types.DataType.FLOAT32, false));
                labels.add("teacher (" + reference.evaluations() + " NFE)");
            }
            return Pictures.withRowLabels(Pictures.grid(ai.djl.ndarray.NDArrays.concat(rows, 0), count),
                    labels.toArray(String[]::new));
        }
    }

    /** As {@link #iterationStrip(NDManager, GetModel, int[], int, org.get4j.diffusion.Denoiser)} without a teacher row. */
    public static BufferedImage iterationStrip(NDManager manager, GetModel model, int[] iterations, int count) {
        return iterationStrip(manager, model, iterations, count, null);
    }

    /**
     * FD at one training-time mark against parameters and against inference MACs (GET at the iterations it samples
     * with), GET arms and
     * ViT arms as two series each, every point named and drawn with its 95% interval; arms without that mark are left
     * out.
     */
    public static BufferedImage qualityVersusSize(List<TrainingCost.Summary> arms, double markSeconds, String metric) {
        List<TrainingCost.Summary> at = arms.stream().filter(a -> a.model() != null && a.at(markSeconds) != null)
                .toList();
        String when = "after " + TrainingCost.minutes(markSeconds) + " of training";
        return Plots.grid(List.of(
                scatter(at, markSeconds, "quality vs parameters, " + when, "parameters (M)", metric,
                        a -> a.model().parameterCount() / 1e6),
                scatter(at, markSeconds, "quality vs compute, " + when, "GMACs per image", metric,
                        a -> a.macsPerImage() / 1e9)), 2);
    }

    private static BufferedImage scatter(List<TrainingCost.Summary> arms, double mark, String title, String xLabel,
            String yLabel, java.util.function.ToDoubleFunction<TrainingCost.Summary> x) {
        Map<String, double[][]> series = new LinkedHashMap<>();
        Map<String, String[]> names = new LinkedHashMap<>();
        for (ModelConfig.Arch arch : ModelConfig.Arch.values()) {
            List<TrainingCost.Summary> of = arms.stream().filter(a -> a.model().arch() == arch).toList();
            if (!of.isEmpty()) {
                String name = arch == ModelConfig.Arch.GET ? "GET" : "ViT";
                series.put(name, new double[][] {of.stream().mapToDouble(x).toArray(),
                    of.stream().mapToDouble(a -> a.at(mark).fd()).toArray(),
                    of.stream().mapToDouble(a -> Plots.errorBar(a.at(mark))).toArray()});
                names.put(name, of.stream().map(TrainingCost.Summary::name).toArray(String[]::new));
            }
        }
        return Plots.scatter(title, xLabel, yLabel + " (bars: 95% intervals)", series, names);
    }

    /**
     * FD against training time for every arm of the training-cost ablation (issue 21), each snapshot with its 95%
     * interval, beside the real-versus-real floor and the teacher at the same sample count.
     */
    public static BufferedImage fdAgainstTime(List<TrainingCost.Summary> arms, String metric,
            double floor, double teacher) {
        Map<String, Plots.Curve> curves = new LinkedHashMap<>();
        int n = 0;
        for (TrainingCost.Summary a : arms) {
            List<org.get4j.metrics.TrainingCurve.Point> curve = a.curve();
            curves.put(a.name(), new Plots.Curve(curve.stream().mapToDouble(p -> p.markSeconds() / 60).toArray(),
                    curve.stream().map(org.get4j.metrics.TrainingCurve.Point::fd)
                            .toArray(org.get4j.metrics.FdEstimate[]::new)));
            n = curve.isEmpty() ? n : a.curveSamples();
        }
        Map<String, Double> references = new LinkedHashMap<>();
        references.put("teacher", teacher);
        references.put("floor", floor);
        return Plots.quality(String.format("%s of %,d samples against training time", metric, n),
                "training time (minutes, 2 cores)", false, curves, references);
    }

    /**
     * Each run's FD to MNIST test as a bar with its 95% interval, on a log axis, beside the real-versus-real floor
     * and (when given) the teacher at the same sample count as lines; {@code runs} must share one sample count, since
     * FDs at different n are not comparable ({@code ResultTable.atSamples}).
     */
    public static BufferedImage resultBars(tech.tablesaw.api.Table runs, double teacher) {
        java.util.Set<Integer> counts = new java.util.TreeSet<>(runs.intColumn("n").asList());
        if (counts.size() != 1) {
            throw new IllegalArgumentException("runs at sample counts " + counts + ": plot one n at a time");
        }
        int n = counts.iterator().next();
        List<String> names = runs.stringColumn("run").asList();
        String common = commonFolder(names); // "sweep-depth-l2-2000-800/" once in the title, not under every bar
        names = names.stream().map(r -> r.substring(common.length())).toList();
        double[] fd = runs.doubleColumn("FD test").asDoubleArray();
        double[] bar = new double[fd.length];
        for (int i = 0; i < fd.length; i++) {
            double lo = runs.doubleColumn("FD low").getDouble(i);
            double hi = runs.doubleColumn("FD high").getDouble(i);
            bar[i] = Double.isNaN(lo) ? 0 : Math.max(hi - fd[i], fd[i] - lo);
        }
        Map<String, Double> lines = new LinkedHashMap<>();
        lines.put(String.format("floor (%,d real images)", n), runs.doubleColumn("floor").getDouble(0));
        if (!Double.isNaN(teacher)) {
            lines.put("teacher (35 NFE)", teacher);
        }
        String metric = runs.stringColumn("metric").isEmpty() ? "FD" : runs.stringColumn("metric").get(0);
        return Plots.barsWithIntervals(String.format("%sdistance to MNIST test, %,d samples (lower is better)",
                common.isEmpty() ? "" : common + ": ", n), metric + " (log scale)", names, fd, bar, lines);
    }

    /** The folder prefix ("a/b/") all names share, or "" (also when a name would be left empty). */
    static String commonFolder(List<String> names) {
        String prefix = names.isEmpty() ? "" : names.get(0);
        for (String n : names) {
            while (!n.startsWith(prefix)) {
                prefix = prefix.substring(0, prefix.length() - 1);
            }
        }
        int slash = prefix.lastIndexOf('/');
        prefix = slash < 0 ? "" : prefix.substring(0, slash + 1);
        String p = prefix;
        return names.stream().anyMatch(n -> n.length() == p.length()) ? "" : prefix;
    }
}
