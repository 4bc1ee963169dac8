package org.get4j.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.get4j.Get4jException;
import org.get4j.data.ImageSet;
import org.get4j.io.AtomicFiles;
import org.get4j.runtime.Torch;
import org.get4j.runtime.TorchRuntime;

/**
 * Quality class by class, for class-conditional samples (issue 24). For each class c: the samples generated for c
 * against the test images of class c (FD with its 95% interval), the real-versus-real floor at the same count (as many
 * training images of class c against the same reference), and the share of the samples the classifier assigns to c
 * (class agreement). The overall FD cannot see a generator that draws good digits of the wrong class; these rows do.
 * A class with no more samples than feature dimensions gets no FD (NaN: its covariance would be singular).
 */
public final class PerClassQuality {
    private static final String HEADER = "label,samples,fd,fd_low,fd_high,floor,agreed";

    private PerClassQuality() {}

    /** One class: its samples' FD to the class's test images, the floor at that count, and its agreement. */
    public record Row(int label, FdEstimate fd, double floor, ClassAgreement.Share agreement) {}

    /**
     * Measures every class of {@code labels} (sample i was generated for {@code labels[i]}) in one pass of the
     * classifier over the samples. {@code fx} must classify the same classes as the labels.
     */
    public static List<Row> measure(FeatureExtractor fx, Evaluation.ImageSource samples, long[] labels, ImageSet test,
            ImageSet train, int batch) {
        int classes = fx.classes();
        if (!fx.classifies() || classes < 1) {
            throw new Get4jException(fx.metricName() + " is not a classifier: no per-class quality");
        }
        if (labels.length != samples.size()) {
            throw new Get4jException("per-class quality: " + labels.length + " labels for " + samples.size()
                    + " samples");
        }
        ClassAgreement agreement = new ClassAgreement(labels, classes);
        int[] count = new int[classes];
        for (long y : labels) {
            count[(int) y]++;
        }
        FdBootstrap[] perClass = new FdBootstrap[classes];
        for (int c = 0; c < classes; c++) { // an FD needs more samples than feature dimensions (a full-rank covariance)
            perClass[c] = count[c] > fx.dim() ? new FdBootstrap(fx.dim(), count[c]) : null;
        }
        for (long b = 0; b < samples.size(); b += batch) {
            long to = Math.min(samples.size(), b + batch);
            try (NDManager m = TorchRuntime.newManager(); Torch.GradMode noGrad = Torch.noGrad()) {
                FeatureExtractor.Readout out = fx.readout(samples.batch(m, b, to));
                agreement.count(b, out.probabilities());
                route(m, out.features(), labels, b, perClass);
            }
        }
        List<Row> rows = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            if (perClass[c] == null) { // too few samples of this class for an FD: its agreement only
                rows.add(new Row(c, new FdEstimate(Double.NaN, Double.NaN, Double.NaN, count[c]), Double.NaN,
                        agreement.ofClass(c)));
                continue;
            }
            FeatureStatistics reference = Evaluation.statistics(fx, Evaluation.ImageSource.of(test, ofClass(test, c)),
                    500);
            int[] real = ofClass(train, c);
            double floor = Double.NaN;
            if (real.length >= count[c]) { // count[c] training images of class c, a seeded choice (as the floor's)
                floor = FrechetDistance.between(Evaluation.statistics(fx,
                        Evaluation.ImageSource.subset(train, real, count[c], 7), 500), reference);
            }
            rows.add(new Row(c, perClass[c].estimate(reference), floor, agreement.ofClass(c)));
        }
        return rows;
    }

    /** The agreement over all classes' samples. */
    public static ClassAgreement.Share overallAgreement(List<Row> rows) {
        return ClassAgreement.Share.of(rows.stream().mapToInt(r -> r.agreement().agreed()).sum(),
                rows.stream().mapToInt(r -> r.agreement().n()).sum());
    }

    /** Adds each row of {@code features} (samples first ..) to the accumulator of its sample's class, in order. */
    private static void route(NDManager m, NDArray features, long[] labels, long first, FdBootstrap[] perClass) {
        int rows = (int) features.getShape().get(0);
        int dim = (int) features.getShape().get(1);
        float[] f = features.toType(DataType.FLOAT32, false).toFloatArray();
        for (int c = 0; c < perClass.length; c++) {
            if (perClass[c] == null) {
                continue;
            }
            float[] mine = new float[rows * dim];
            int k = 0;
            for (int i = 0; i < rows; i++) {
                if (labels[(int) first + i] == c) {
                    System.arraycopy(f, i * dim, mine, k++ * dim, dim);
                }
            }
            if (k > 0) {
                perClass[c].add(m.create(java.util.Arrays.copyOf(mine, k * dim), new Shape(k, dim)));
            }
        }
    }

    /** The indices of the images of class c. */
    static int[] ofClass(ImageSet set, int c) {
        return java.util.stream.IntStream.range(0, set.size()).filter(i -> set.label(i) == c).toArray();
    }

    /** Writes the rows as CSV (numbers in Java's shortest round-trip form, so {@link #read} gives them back). */
    public static void write(List<Row> rows, Path file) {
        StringBuilder s = new StringBuilder(HEADER).append('\n');
        for (Row r : rows) {
            s.append(String.join(",", Integer.toString(r.label()), Long.toString(r.fd().samples()),
                    Double.toString(r.fd().fd()), Double.toString(r.fd().low()), Double.toString(r.fd().high()),
                    Double.toString(r.floor()), Integer.toString(r.agreement().agreed()))).append('\n');
        }
        try {
            AtomicFiles.write(file, s.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The rows {@link #write} left in {@code file}. */
    public static List<Row> read(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
                throw new Get4jException(file + ": not a per-class quality table (header '" + HEADER + "' expected)");
            }
            List<Row> rows = new ArrayList<>();
            for (int i = 1; i < lines.size(); i++) {
                String[] v = lines.get(i).split(",");
                if (v.length != 7) {
                    throw new Get4jException(file + ", line " + (i + 1) + ": 7 fields expected, got " + v.length);
                }
                int n = Integer.parseInt(v[1]);
                rows.add(new Row(Integer.parseInt(v[0]), new FdEstimate(Double.parseDouble(v[2]),
                        Double.parseDouble(v[3]), Double.parseDouble(v[4]), n), Double.parseDouble(v[5]),
                        ClassAgreement.Share.of(Integer.parseInt(v[6]), n)));
            }
            return rows;
        } catch (IOException | NumberFormatException e) {
            throw new Get4jException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
