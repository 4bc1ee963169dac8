package org.get4j.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.get4j.Get4jException;

/**
 * Class agreement of class-conditional samples: the share that a classifier (the shipped LeNet) assigns to the label
 * each sample was generated for, overall and per class, with 95% Wilson score intervals. A conditional generator that
 * ignores its label scores about 1 / classes; the teacher's agreement is the reference a student is read against.
 *
 * <p>A tally fills as images stream past ({@link #count}), so it can ride along the FD features of the same samples.
 */
public final class ClassAgreement {
    /** The two-sided 95% normal quantile. */
    private static final double Z = 1.959963984540054;

    private final long[] labels;
    private final int[] agreedPerClass;
    private final int[] countPerClass;

    /** A tally for samples whose i-th was generated for {@code labels[i]}, classes 0 .. classes - 1. */
    public ClassAgreement(long[] labels, int classes) {
        this.labels = labels.clone();
        this.agreedPerClass = new int[classes];
        this.countPerClass = new int[classes];
        for (long y : labels) {
            if (y < 0 || y >= classes) {
                throw new Get4jException("label " + y + " outside 0.." + (classes - 1));
            }
        }
    }

    /** Counts the classifier's verdicts (argmax of {@code probabilities}, (k, classes)) on samples first .. first+k-1. */
    public void count(long first, NDArray probabilities) {
        int classes = agreedPerClass.length;
        if (probabilities.getShape().dimension() != 2 || probabilities.getShape().get(1) != classes) {
            throw new Get4jException("class agreement: expected probabilities (k, " + classes + "), got "
                    + probabilities.getShape());
        }
        countPredicted(first, probabilities.argMax(1).toType(DataType.INT64, false).toLongArray());
    }

    /** Counts the verdicts given as rows of class probabilities, for samples first .. first + rows - 1. */
    public void count(long first, double[][] probabilities) {
        long[] predicted = new long[probabilities.length];
        for (int i = 0; i < predicted.length; i++) {
            if (probabilities[i].length != agreedPerClass.length) {
                throw new Get4jException("class agreement: expected " + agreedPerClass.length
                        + " class probabilities, got " + probabilities[i].length);
            }
            for (int c = 1; c < probabilities[i].length; c++) {
                if (probabilities[i][c] > probabilities[i][(int) predicted[i]]) {
                    predicted[i] = c;
                }
            }
        }
        countPredicted(first, predicted);
    }

    private void countPredicted(long first, long[] predicted) {
        if (first < 0 || first + predicted.length > labels.length) {
            throw new Get4jException("class agreement: samples " + first + ".." + (first + predicted.length - 1)
                    + " outside the " + labels.length + " labels");
        }
        for (int i = 0; i < predicted.length; i++) {
            int y = (int) labels[(int) first + i];
            countPerClass[y]++;
            if (predicted[i] == y) {
                agreedPerClass[y]++;
            }
        }
    }

    /** Counts the verdicts of a classifying feature extractor on the images of samples first ... */
    public void count(FeatureExtractor fx, long first, NDArray images) {
        NDArray p = fx.probabilities(images);
        if (p == null) {
            throw new Get4jException(fx.metricName() + " is not a classifier: no class agreement");
        }
        count(first, p);
    }

    public int samples() {
        return java.util.Arrays.stream(countPerClass).sum();
    }

    public int agreed() {
        return java.util.Arrays.stream(agreedPerClass).sum();
    }

    /** The overall share of samples classified as their label, with its 95% interval. */
    public Share overall() {
        return Share.of(agreed(), samples());
    }

    /** The share within class c. */
    public Share ofClass(int c) {
        return Share.of(agreedPerClass[c], countPerClass[c]);
    }

    public int classes() {
        return agreedPerClass.length;
    }

    /** k of n, as a share with its 95% Wilson score interval (which stays inside [0, 1], also at 0 or n of n). */
    public record Share(int agreed, int n, double share, double low, double high) {
        public static Share of(int agreed, int n) {
            if (n == 0) {
                return new Share(0, 0, Double.NaN, Double.NaN, Double.NaN);
            }
            double p = (double) agreed / n;
            double z2 = Z * Z;
            double denominator = 1 + z2 / n;
            double centre = (p + z2 / (2.0 * n)) / denominator;
            double half = Z / denominator * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
            return new Share(agreed, n, p, Math.max(0, centre - half), Math.min(1, centre + half));
        }

        /** "98.7% [98.4, 98.9]". */
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%.1f%% [%.1f, %.1f]", 100 * share, 100 * low, 100 * high);
        }
    }
}
