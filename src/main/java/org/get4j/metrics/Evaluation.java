package org.get4j.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.get4j.Get4jException;
import org.get4j.data.ImageSet;
import org.get4j.io.HostTensor;
import org.get4j.io.TensorDType;
import org.get4j.runtime.Torch;
import org.get4j.runtime.TorchRuntime;

/** Distances, scores and fidelity, each computed in batches so that 50k images need little memory. */
public final class Evaluation {
    private Evaluation() {}

    /** Images in [-1, 1], (N, C, H, W), read in ranges. */
    public interface ImageSource {
        long size();

        NDArray batch(NDManager manager, long from, long to);

        /** How a source reads images [from, to). */
        @FunctionalInterface
        interface Reader {
            NDArray read(NDManager manager, long from, long to);
        }

        /**
         * This source, with {@code observer} told of every batch as it is read ((from, images)): for work done on the
         * same images as they stream past, such as progress or a classifier's verdicts, without drawing them twice.
         */
        default ImageSource observed(java.util.function.BiConsumer<Long, NDArray> observer) {
            ImageSource inner = this;
            return of(size(), (manager, from, to) -> {
                NDArray images = inner.batch(manager, from, to);
                observer.accept(from, images);
                return images;
            });
        }

        /** A source of {@code size} images read by {@code reader}. */
        static ImageSource of(long size, Reader reader) {
            return new ImageSource() {
                @Override
                public long size() {
                    return size;
                }

                @Override
                public NDArray batch(NDManager manager, long from, long to) {
                    return reader.read(manager, from, to);
                }
            };
        }

        static ImageSource of(ImageSet set) {
            return of(set.size(), (manager, from, to) -> set.toFloat(manager, (int) from, (int) to));
        }

        /**
         * Images held in an array (N, C, H, W): floats in [-1, 1], or uint8 in [0, 255] mapped to [-1, 1] as
         * x / 127.5 - 1. {@code name} says where they came from in errors.
         */
        static ImageSource of(HostTensor t, String name) {
            long[] shape = t.shape();
            if (shape.length != 4) {
                throw new Get4jException(name + ": images must be (N, C, H, W), got " + java.util.Arrays.toString(shape));
            }
            float[] values = t.requireFiniteSamples(name).toFloatArray();
            if (t.dtype() == TensorDType.UINT8) {
                for (int i = 0; i < values.length; i++) {
                    values[i] = values[i] / 127.5f - 1f;
                }
            }
            int per = (int) (shape[1] * shape[2] * shape[3]);
            return of(shape[0], (manager, from, to) -> manager.create(
                    java.util.Arrays.copyOfRange(values, (int) from * per, (int) to * per),
                    new ai.djl.ndarray.types.Shape(to - from, shape[1], shape[2], shape[3])));
        }

        /** A seeded random subset of n images of a set (for the real-versus-real floor). */
        static ImageSource subset(ImageSet set, int n, long seed) {
            return subset(set, java.util.stream.IntStream.range(0, set.size()).toArray(), n, seed);
        }

        /** A seeded random choice of n of the images at {@code indices} (Fisher-Yates with java.util.Random). */
        static ImageSource subset(ImageSet set, int[] indices, int n, long seed) {
            if (n > indices.length) {
                throw new Get4jException("cannot draw " + n + " images from " + indices.length);
            }
            int[] order = indices.clone();
            Random r = new Random(seed);
            for (int i = order.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            return of(set, java.util.Arrays.copyOf(order, n));
        }

        /** The images of a set at {@code indices}, in that order. */
        static ImageSource of(ImageSet set, int[] indices) {
            int[] chosen = indices.clone();
            return of(chosen.length, (manager, from, to) -> set.toFloat(manager,
                    java.util.Arrays.copyOfRange(chosen, (int) from, (int) to)));
        }
    }

    public static FeatureStatistics statistics(FeatureExtractor fx, ImageSource images, int batch) {
        FeatureStatistics stats = new FeatureStatistics(fx.dim());
        forEachFeatures(fx, images, batch, stats::add);
        return stats;
    }

    /** FD of the images to {@code reference} with its 95% bootstrap interval ({@link FdBootstrap}). */
    public static FdEstimate estimate(FeatureExtractor fx, ImageSource images, int batch,
            FeatureStatistics reference) {
        return bootstrap(fx, images, batch).estimate(reference);
    }

    /** The images' features in bootstrap blocks: their statistics, and FDs with intervals to any reference. */
    public static FdBootstrap bootstrap(FeatureExtractor fx, ImageSource images, int batch) {
        FdBootstrap bootstrap = new FdBootstrap(fx.dim(), images.size());
        forEachFeatures(fx, images, batch, bootstrap::add);
        return bootstrap;
    }

    private static void forEachFeatures(FeatureExtractor fx, ImageSource images, int batch,
            java.util.function.Consumer<NDArray> sink) {
        for (long b = 0; b < images.size(); b += batch) {
            try (NDManager m = TorchRuntime.newManager(); Torch.GradMode noGrad = Torch.noGrad()) {
                sink.accept(fx.features(images.batch(m, b, Math.min(images.size(), b + batch))));
            }
        }
    }

    /** A reference set's statistics, cached in {@code statsDir} as {@code <metric>-<set>.npz} (shared by commands). */
    public static FeatureStatistics referenceStatistics(FeatureExtractor fx, ImageSet set, Path statsDir) {
        return cachedStatistics(fx, set, statsDir.resolve(fx.metricName().toLowerCase() + "-" + set.name() + ".npz"));
    }

    /** Statistics of a reference set, computed once and cached as .npz under {@code cache}. */
    public static FeatureStatistics cachedStatistics(FeatureExtractor fx, ImageSet set, Path cache) {
        if (Files.isRegularFile(cache)) {
            return FeatureStatistics.load(cache);
        }
        FeatureStatistics s = statistics(fx, ImageSource.of(set), 1000);
        try {
            Files.createDirectories(cache.toAbsolutePath().getParent());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        s.save(cache);
        return s;
    }

    /**
     * The real-versus-real floor: the distance from {@code n} real images, a seeded random subset of {@code real}
     * (another split than the reference's), to the reference statistics. A distance near it is as good as this
     * sample count can show. NaN when {@code real} has fewer than {@code n} images.
     */
    public static double floor(FeatureExtractor fx, ImageSet real, FeatureStatistics reference, int n) {
        if (n > real.size() || n < 2) {
            return Double.NaN;
        }
        return FrechetDistance.between(statistics(fx, ImageSource.subset(real, n, 7), 500), reference);
    }

    /**
     * The classifier score, the Inception Score's analogue on a classifier's own probabilities:
     * exp(E_x KL(p(y|x) || p(y))), between 1 and the number of classes (high: confident and diverse).
     */
    public static double classifierScore(FeatureExtractor fx, ImageSource images, int batch) {
        if (!fx.classifies()) {
            throw new Get4jException(fx.metricName() + " features have no class probabilities");
        }
        return classifierScore(read(fx, images, batch).probabilities());
    }

    /** The classifier score of per-image class probabilities (rows). */
    public static double classifierScore(double[][] probs) {
        int n = probs.length;
        int k = probs[0].length;
        double[] marginal = new double[k];
        for (double[] p : probs) {
            for (int c = 0; c < k; c++) {
                marginal[c] += p[c] / n;
            }
        }
        double kl = 0;
        for (double[] p : probs) {
            for (int c = 0; c < k; c++) {
                if (p[c] > 0) {
                    kl += p[c] * (Math.log(p[c]) - Math.log(marginal[c])) / n;
                }
            }
        }
        return Math.exp(kl);
    }

    /**
     * What one pass of the feature network over images gives: their features in bootstrap blocks (FD with interval to
     * any reference) and, from a classifier, each image's class probabilities (classifier score, class agreement);
     * null probabilities otherwise.
     */
    public record Reading(FdBootstrap features, double[][] probabilities) {}

    public static Reading read(FeatureExtractor fx, ImageSource images, int batch) {
        int n = Math.toIntExact(images.size());
        FdBootstrap bootstrap = new FdBootstrap(fx.dim(), n);
        double[][] probs = fx.classifies() ? new double[n][] : null;
        for (int b = 0; b < n; b += batch) {
            try (NDManager m = TorchRuntime.newManager(); Torch.GradMode noGrad = Torch.noGrad()) {
                FeatureExtractor.Readout out = fx.readout(images.batch(m, b, Math.min(n, b + batch)));
                bootstrap.add(out.features());
                if (probs != null) {
                    int k = (int) out.probabilities().getShape().get(1);
                    double[] v = out.probabilities().toType(DataType.FLOAT64, false).toDoubleArray();
                    for (int i = 0; i < v.length / k; i++) {
                        probs[b + i] = java.util.Arrays.copyOfRange(v, i * k, (i + 1) * k);
                    }
                }
            }
        }
        return new Reading(bootstrap, probs);
    }

    /** How closely the student reproduces the teacher on the same noise: mean |x_s - x_t| and PSNR (range 2). */
    public record Fidelity(double l1, double psnr) {}

    public static Fidelity fidelity(float[] student, float[] teacher) {
        if (student.length != teacher.length) {
            throw new IllegalArgumentException(student.length + " vs " + teacher.length + " values");
        }
        double l1 = 0;
        double mse = 0;
        for (int i = 0; i < student.length; i++) {
            double d = student[i] - teacher[i];
            l1 += Math.abs(d) / student.length;
            mse += d * d / student.length;
        }
        return new Fidelity(l1, 10 * Math.log10(4.0 / mse));
    }
}
