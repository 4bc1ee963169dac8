package org.get4j.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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

    /** One evaluation. */
    public record Report(String model, long parameters, double gmacs, int iterations, String metric, int samples,
            double fdTest, double fdTestLow, double fdTestHigh, double fdTrain, double floor, double classifierScore,
            double fidelityL1, double psnr, double imagesPerSecond) {
        /** Before FD intervals (NaN when read back). */
        private static final String HEADER_WITHOUT_INTERVAL = "model,parameters,gmacs,iterations,metric,samples,"
                + "fd_test,fd_train,floor,classifier_score,fidelity_l1,psnr,images_per_second";

        public static String csvHeader() {
            return "model,parameters,gmacs,iterations,metric,samples,fd_test,fd_test_low,fd_test_high,fd_train,floor,"
                    + "classifier_score,fidelity_l1,psnr,images_per_second\n";
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
                    Double.toString(psnr), Double.toString(imagesPerSecond)) + "\n";
        }

        public String markdown() {
            return String.format("| model | params | GMACs | iters | %1$s test | %1$s train | floor (real vs real, n=%2$d) "
                    + "| classifier score | fidelity L1 | PSNR (dB) | images/s |%n|---|---|---|---|---|---|---|---|---|---|---|%n"
                    + "| %3$s | %4$,d | %5$.2f | %6$d | %7$s | %8$.3f | %9$.3f | %10$.3f | %11$.4f | %12$.2f | %13$.1f |%n",
                    metric, samples, model, parameters, gmacs, iterations, fdTestEstimate(), fdTrain, floor,
                    classifierScore, fidelityL1, psnr, imagesPerSecond);
        }

        /** The report an earlier {@link #write} left in {@code dir}/eval.csv. */
        public static Report read(Path dir) {
            Path file = dir.resolve("eval.csv");
            try {
                java.util.List<String> lines = java.nio.file.Files.readAllLines(file);
                String[] keys = lines.get(0).split(",");
                String[] v = lines.get(1).split(",");
                boolean old = lines.get(0).equals(HEADER_WITHOUT_INTERVAL);
                if (!(old || lines.get(0).equals(csvHeader().strip())) || v.length != keys.length) {
                    throw new Get4jException(file + ": not an evaluation table of this version (header "
                            + lines.get(0) + ")");
                }
                if (old) { // no interval recorded: NaN in its place
                    v = new String[] {v[0], v[1], v[2], v[3], v[4], v[5], v[6], "NaN", "NaN", v[7], v[8], v[9], v[10],
                        v[11], v[12]};
                }
                return new Report(v[0], Long.parseLong(v[1]), Double.parseDouble(v[2]), Integer.parseInt(v[3]), v[4],
                        Integer.parseInt(v[5]), Double.parseDouble(v[6]), Double.parseDouble(v[7]),
                        Double.parseDouble(v[8]), Double.parseDouble(v[9]), Double.parseDouble(v[10]),
                        Double.parseDouble(v[11]), Double.parseDouble(v[12]), Double.parseDouble(v[13]),
                        Double.parseDouble(v[14]));
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
        FdBootstrap features = Evaluation.bootstrap(fx, buffer(samples, g.config()), 500);
        FeatureStatistics ours = features.statistics();
        FeatureStatistics testStats = Evaluation.referenceStatistics(fx, test, statsCache);
        FeatureStatistics trainStats = Evaluation.referenceStatistics(fx, train, statsCache);
        double score = fx.classifies() ? Evaluation.classifierScore(fx, buffer(samples, g.config()), 500) : Double.NaN;
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
        int iters = c.arch() == ModelConfig.Arch.GET ? solver.maxIter() : 0;
        FdEstimate toTest = features.estimate(testStats);
        return new Report(name, c.parameterCount(), c.inferenceMacs(Math.max(1, iters)) / 1e9, iters, fx.metricName(), n,
                toTest.fd(), toTest.low(), toTest.high(), FrechetDistance.between(ours, trainStats),
                Evaluation.floor(fx, train, testStats, n), score, l1, psnr, drawn.imagesPerSecond());
    }
}
