package org.get4j.pairs;

import java.util.SplittableRandom;

/**
 * Noise and labels as pure functions of a sample's seed: one generator per seed (SplitMix64, whose output is
 * specified), Gaussian draws by Box-Muller with StrictMath, so the same seed gives the same bits on any machine,
 * whatever the batch size or shard layout.
 */
public final class SeededNoise {
    private static final long LABEL_STREAM = 0x9E3779B97F4A7C15L;

    private SeededNoise() {}

    /** Unit-variance Gaussian noise of n values for one seed. */
    public static float[] noise(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i += 2) {
            double u1 = 1.0 - r.nextDouble(); // (0, 1]
            double u2 = r.nextDouble();
            double radius = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
            double angle = 2.0 * StrictMath.PI * u2;
            out[i] = (float) (radius * StrictMath.cos(angle));
            if (i + 1 < n) {
                out[i + 1] = (float) (radius * StrictMath.sin(angle));
            }
        }
        return out;
    }

    /** The noise of seeds first .. first + count - 1, each of {@code size} values, one after another. */
    public static float[] noise(long first, int count, int size) {
        float[] out = new float[count * size];
        for (int i = 0; i < count; i++) {
            System.arraycopy(noise(first + i, size), 0, out, i * size, size);
        }
        return out;
    }

    /** The labels of seeds first .. first + count - 1. */
    public static long[] labels(long first, int count, int classes) {
        long[] out = new long[count];
        for (int i = 0; i < count; i++) {
            out[i] = label(first + i, classes);
        }
        return out;
    }

    /**
     * A class label in [0, classes) for one seed, balanced: the seeds of every aligned block [j * classes, (j + 1) *
     * classes) take each class exactly once, in an order shuffled by the block's index (a stream independent of the
     * noise). So in any run of seeds each class count differs from an equal share by less than two, and the label
     * stays a pure function of the seed.
     */
    public static int label(long seed, int classes) {
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be at least 1, got " + classes);
        }
        SplittableRandom r = new SplittableRandom(Math.floorDiv(seed, classes) ^ LABEL_STREAM);
        int[] order = new int[classes];
        for (int i = 0; i < classes; i++) {
            order[i] = i;
        }
        for (int i = classes - 1; i > 0; i--) { // Fisher-Yates
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order[(int) Math.floorMod(seed, (long) classes)];
    }
}
