package org.get4j.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.get4j.Get4jException;
import org.get4j.data.ImageSet;
import org.get4j.deq.SolverConfig;
import org.get4j.io.AtomicFiles;
import org.get4j.model.Generator;
import org.get4j.model.GetModel;
import org.get4j.model.ModelConfig;
import org.get4j.pairs.PairStore;
import org.get4j.pairs.Pairs;
import org.get4j.pairs.SeededNoise;

/**
 * The results row of one student: distances to the test and train statistics with the real-versus-real floor at
 * the same sample count beside them, the classifier score, fidelity to the teacher on held-out pairs, and
 * sampling speed. Samples use seeds from 10^9 on, disjoint from any pair seed. Fidelity needs pairs the student
 * did not train on: its last {@code heldOutCount} pairs are used (pass a store generated from other seeds).
 */
public final class StudentEvaluation {
    public static final long SAMPLE_SEED = 1_000_000_000L;

    private StudentEvaluation() {}

    /**
     * One evaluation. {@code agreement} is the class agreement of a conditional model's samples and {@code classes}
     * its quality class by class (both null for an unconditional model or a non-classifying feature extractor).
     */
    public record Report(String model, long parameters, double gmacs, int iterations, String metric, int samples,
            double fdTest, double fdTestLow, double fdTestHigh, double fdTrain, double floor, double classifierScore,
            double fidelityL1, double psnr, double imagesPerSecond, ClassAgreement.Share agreement,
            List<PerClassQuality.Row> classes) {
        private static final List<String> REQUIRED = List.of("model", "parameters", "gmacs", "iterations", "metric",
                "samples", "fd_test", "fd_train", "floor", "classifier_score", "fidelity_l1", "psnr",
                "images_per_second");
        /** Columns later versions added; a file without them reads as NaN (interval) or null (agreement). */
        private static final List<String> OPTIONAL = List.of("fd_test_low", "fd_test_high", "class_agreed",
                "class_samples");
        /** A conditional model's per-class table, beside eval.csv. */
        public static final String CLASSES_FILE = "eval-classes.csv";

        public static String csvHeader() {
            return "model,parameters,gmacs,iterations,metric,samples,fd_test,fd_test_low,fd_test_high,fd_train,floor,"
                    + "classifier_score,fidelity_l1,psnr,images_per_second,class_agreed,class_samples\n";
        }

        /** FD to the test statistics with its 95% interval. */
        public FdEstimate fdTestEstimate() {
            return new FdEstimate(fdTest, fdTestLow, fdTestHigh, samples);
        }

        /** One CSV row; numbers in Java's shortest round-trip form, so {@link #read} gives back this report. */
        public String csvRow() {
            // a comma in the name (a run folder's) would split its field
            return String.join(",", model.replace(',', ';'), Long.toString(parameters), Double.toString(gmacs),
                    Integer.toString(iterations), metric, Integer.toString(samples), Double.toString(fdTest),
                    Double.toString(fdTestLow), Double.toString(fdTestHigh), Double.toString(fdTrain),
                    Double.toString(floor), Double.toString(classifierScore), Double.toString(fidelityL1),
                    Double.toString(psnr), Double.toString(imagesPerSecond),
                    Integer.toString(agreement == null ? 0 : agreement.agreed()),
                    Integer.toString(agreement == null ? 0 : agreement.n())) + "\n";
        }

        public String markdown() {
            return overallMarkdown() + (classes == null ? "" : classesMarkdown());
        }

        private String overallMarkdown() {
            return String.format("| model | params | GMACs | iters | %1$s test | %1$s train | floor (real vs real, n=%2$d) "
                    + "| classifier score | class agreement | fidelity L1 | PSNR (dB) | images/s |%n"
                    + "|---|---|---|---|---|---|---|---|---|---|---|---|%n"
                    + "| %3$s | %4$,d | %5$.2f | %6$s | %7$s | %8$.3f | %9$.3f | %10$.3f | %11$s | %12$.4f | %13$.2f | %14$.1f |%n",
                    metric, samples, model, parameters, gmacs, iterationsText(), fdTestEstimate(), fdTrain, floor,
                    classifierScore, agreement == null ? "-" : agreement.toString(), fidelityL1, psnr,
                    imagesPerSecond);
        }

        /** One row per class: its samples' FD to the class's test images, the floor at that count, agreement. */
        private String classesMarkdown() {
            StringBuilder s = new StringBuilder(String.format("%n| class | samples | %s to the class's test images "
                    + "| floor (real vs real) | class agreement |%n|---|---|---|---|---|%n", metric));
            for (PerClassQuality.Row r : classes) {
                s.append(String.format(java.util.Locale.ROOT, "| %d | %,d | %s | %.2f | %s |%n", r.label(),
                        r.fd().samples(), r.fd(), r.floor(), r.agreement()));
            }
            return s.toString();
        }

        /** The fixed-point iterations a sample took, or "-" for a ViT (one forward pass, recorded as 0). */
        public String iterationsText() {
            return iterations == 0 ? "-" : Integer.toString(iterations);
        }

        /** The report an earlier {@link #write} left in {@code dir}/eval.csv (of this version or an earlier one). */
        public static Report read(Path dir) {
            Path file = dir.resolve("eval.csv");
            try {
                java.util.List<String> lines = java.nio.file.Files.readAllLines(file);
                String[] keys = lines.get(0).split(",");
                String[] values = lines.get(1).split(",");
                if (values.length != keys.length) {
                    throw new Get4jException(file + ": the row has " + values.length + " fields, the header "
                            + keys.length);
                }
                java.util.Map<String, String> v = new java.util.HashMap<>();
                for (int i = 0; i < keys.length; i++) {
                    if (!REQUIRED.contains(keys[i]) && !OPTIONAL.contains(keys[i])) {
                        throw new Get4jException(file + ": not an evaluation table of this version (unknown column '"
                                + keys[i] + "')");
                    }
                    v.put(keys[i], values[i]);
                }
                for (String k : REQUIRED) {
                    if (v.get(k) == null) {
                        throw new Get4jException(file + ": column '" + k + "' is missing");
                    }
                }
                int agreed = Integer.parseInt(v.getOrDefault("class_agreed", "0"));
                int classSamples = Integer.parseInt(v.getOrDefault("class_samples", "0"));
                return new Report(v.get("model"), Long.parseLong(v.get("parameters")), Double.parseDouble(v.get("gmacs")),
                        Integer.parseInt(v.get("iterations")), v.get("metric"), Integer.parseInt(v.get("samples")),
                        Double.parseDouble(v.get("fd_test")), Double.parseDouble(v.getOrDefault("fd_test_low", "NaN")),
                        Double.parseDouble(v.getOrDefault("fd_test_high", "NaN")),
                        Double.parseDouble(v.get("fd_train")), Double.parseDouble(v.get("floor")),
                        Double.parseDouble(v.get("classifier_score")), Double.parseDouble(v.get("fidelity_l1")),
                        Double.parseDouble(v.get("psnr")), Double.parseDouble(v.get("images_per_second")),
                        classSamples == 0 ? null : ClassAgreement.Share.of(agreed, classSamples),
                        java.nio.file.Files.isRegularFile(dir.resolve(CLASSES_FILE))
                                ? PerClassQuality.read(dir.resolve(CLASSES_FILE)) : null);
            } catch (java.io.IOException | RuntimeException e) {
                if (e instanceof Get4jException g) {
                    throw g;
                }
                throw new Get4jException("cannot read " + file + ": " + e.getMessage());
            }
        }

        public void write(Path dir) {
            try {
                AtomicFiles.write(dir.resolve("eval.csv"), (csvHeader() + csvRow()).getBytes(StandardCharsets.UTF_8));
                AtomicFiles.write(dir.resolve("eval.md"), markdown().getBytes(StandardCharsets.UTF_8));
                if (classes != null) {
                    PerClassQuality.write(classes, dir.resolve(CLASSES_FILE));
                } else {
                    java.nio.file.Files.deleteIfExists(dir.resolve(CLASSES_FILE)); // not another model's
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /**
     * Samples of a generator: images (n, C, H, W) float32 in [-1, 1], the sampling rate (network time only, per full
     * batch), and for GET the mean over samples of the final relative residual |f(z) - z| / |f(z)| (NaN for a ViT).
     */
    public record Samples(float[] images, Rate rate, double relativeResidual) {
        /** The median images per second over the batches. */
        public double imagesPerSecond() {
            return rate.median();
        }
    }

    /**
     * Images per second of repeated runs of the same computation (the batches of one sampling pass): the median, and
     * the slowest and fastest run, so a table can show how much one reading may differ from the next.
     */
    public record Rate(double median, double low, double high, int runs) {
        public static Rate of(double[] perRun) {
            double[] r = perRun.clone();
            java.util.Arrays.sort(r);
            int n = r.length;
            double median = n % 2 == 1 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
            return new Rate(median, r[0], r[n - 1], n);
        }

        /** "166 (152-171)": median and range, in images per second. */
        @Override
        public String toString() {
            return runs == 1 ? String.format("%.0f", median) : String.format("%.0f (%.0f-%.0f)", median, low, high);
        }
    }

    /** Draws n samples from the evaluation seeds (noise and z0 from SAMPLE_SEED on) with the given solver. */
    public static Samples sample(NDManager manager, Generator g, SolverConfig solver, int n, int batch) {
        ModelConfig c = g.config();
        int px = c.channels() * c.imageSize() * c.imageSize();
        float[] out = new float[n * px];
        java.util.List<Double> rates = new java.util.ArrayList<>();
        double residualSum = 0;
        for (int b = 0; b < n; b += batch) {
            int k = Math.min(batch, n - b);
            try (NDManager m = manager.newSubManager()) {
                float[] noise = SeededNoise.noise(SAMPLE_SEED + b, k, px);
                long[] labels = c.numClasses() > 0 ? SeededNoise.labels(SAMPLE_SEED + b, k, c.numClasses()) : null;
                NDArray x = m.create(noise, new Shape(k, c.channels(), c.imageSize(), c.imageSize()));
                NDArray z0 = g instanceof GetModel get ? get.initialState(m, k, SAMPLE_SEED + b) : null;
                long t0 = System.nanoTime();
                try (Generator.Sample s = g.sample(new ParameterStore(m, false), x,
                        labels == null ? null : m.create(labels), z0, solver)) {
                    float[] images = s.images().toType(DataType.FLOAT32, false).toFloatArray();
                    long nanos = System.nanoTime() - t0;
                    if (k == batch || n < batch) {
                        rates.add(k / (nanos / 1e9)); // a short last batch runs at another rate: left out
                    }
                    System.arraycopy(images, 0, out, b * px, k * px);
                    if (s.solve() != null) {
                        for (double r : s.solve().bestRel()) {
                            residualSum += r;
                        }
                    }
                }
            }
        }
        return new Samples(out, Rate.of(rates.stream().mapToDouble(Double::doubleValue).toArray()),
                g instanceof GetModel ? residualSum / n : Double.NaN);
    }

    /** An image source over a float buffer of (n, C, H, W). */
    public static Evaluation.ImageSource buffer(float[] images, ModelConfig c) {
        int px = c.channels() * c.imageSize() * c.imageSize();
        return new Evaluation.ImageSource() {
            @Override
            public long size() {
                return images.length / px;
            }

            @Override
            public NDArray batch(NDManager m, long from, long to) {
                return m.create(java.util.Arrays.copyOfRange(images, (int) from * px, (int) to * px),
                        new Shape(to - from, c.channels(), c.imageSize(), c.imageSize()));
            }
        };
    }

    public static Report evaluate(NDManager manager, String name, Generator g, SolverConfig solver, FeatureExtractor fx,
            ImageSet train, ImageSet test, Path statsCache, PairStore heldOut, int heldOutCount, int n) {
        Samples drawn = sample(manager, g, solver, n, 500);
        float[] samples = drawn.images();
        Evaluation.Reading read = Evaluation.read(fx, buffer(samples, g.config()), 500); // one pass for all below
        FdBootstrap features = read.features();
        FeatureStatistics ours = features.statistics();
        FeatureStatistics testStats = Evaluation.referenceStatistics(fx, test, statsCache);
        FeatureStatistics trainStats = Evaluation.referenceStatistics(fx, train, statsCache);
        double score = read.probabilities() != null ? Evaluation.classifierScore(read.probabilities()) : Double.NaN;
        double l1 = Double.NaN;
        double psnr = Double.NaN;
        if (heldOut != null) {
            long from = Math.max(0, heldOut.size() - heldOutCount);
            Pairs p = heldOut.range(from, heldOut.size());
            try (NDManager m = manager.newSubManager()) {
                NDArray z0 = g instanceof GetModel get ? get.initialState(m, p.count(), SAMPLE_SEED) : null;
                try (Generator.Sample s = g.sample(new ParameterStore(m, false), p.noiseArray(m), p.labelArray(m), z0,
                        solver)) {
                    Evaluation.Fidelity f = Evaluation.fidelity(s.images().toType(DataType.FLOAT32, false).toFloatArray(),
                            p.images());
                    l1 = f.l1();
                    psnr = f.psnr();
                }
            }
        }
        ModelConfig c = g.config();
        ClassAgreement.Share agreement = null;
        List<PerClassQuality.Row> classes = null;
        if (c.numClasses() > 0 && fx.classes() == c.numClasses()) { // the labels sample() drew: seeds SAMPLE_SEED .. + n - 1
            long[] labels = SeededNoise.labels(SAMPLE_SEED, n, c.numClasses());
            // a second, cheap classifier pass (LeNet) that sorts the features by class; the sampling above dominates
            classes = PerClassQuality.measure(fx, buffer(samples, c), labels, test, train, 500);
            agreement = PerClassQuality.overallAgreement(classes);
        }
        int iters = c.arch() == ModelConfig.Arch.GET ? solver.maxIter() : 0;
        FdEstimate toTest = features.estimate(testStats);
        return new Report(name, c.parameterCount(), c.inferenceMacs(Math.max(1, iters)) / 1e9, iters, fx.metricName(), n,
                toTest.fd(), toTest.low(), toTest.high(), FrechetDistance.between(ours, trainStats),
                Evaluation.floor(fx, train, testStats, n), score, l1, psnr, drawn.imagesPerSecond(), agreement,
                classes);
    }
}
