package org.get4j.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.get4j.Get4jException;

/**
 * FD with a 95% bootstrap interval over the samples, the reference held fixed.
 *
 * <p>The n sample features go, in order, into B = min(n, {@value #BLOCKS}) contiguous blocks of (count, sum, sum
 * of outer products). One resample draws B blocks with replacement, adds their sums, and recomputes mean,
 * covariance and FD; with i.i.d. samples this is the bootstrap over blocks, which costs one D x D
 * eigendecomposition per resample instead of a pass over the features. The interval is the 2.5th and 97.5th
 * percentiles of {@value #RESAMPLES} resampled FDs (seed {@value #SEED}), shifted so that their mean sits on the
 * estimate: resampling with replacement adds FD's own small-sample bias a second time, and the shift removes it,
 * so the interval measures the spread of the estimate at this n, not its bias (the real-versus-real floor does that).
 */
public final class FdBootstrap {
    public static final int BLOCKS = 200;
    public static final int RESAMPLES = 500;
    public static final long SEED = 0;
    /**
     * Blocks hold D x D sums each (200 x 128^2 doubles = 26 MB for LeNet's features; 6.7 GB for Inception's 2048):
     * above this D the features go into one block and the estimate has no interval (NaN bounds).
     */
    public static final int MAX_DIM = 256;

    private final int dim;
    private final long n;
    private final FeatureStatistics[] blocks;
    private long added;

    /** An accumulator for exactly {@code n} samples of {@code dim}-d features. */
    public FdBootstrap(int dim, long n) {
        if (n < 2) {
            throw new Get4jException("an FD interval needs at least 2 samples, got " + n);
        }
        this.dim = dim;
        this.n = n;
        this.blocks = new FeatureStatistics[dim > MAX_DIM ? 1 : (int) Math.min(n, BLOCKS)];
        for (int b = 0; b < blocks.length; b++) {
            blocks[b] = new FeatureStatistics(dim);
        }
    }

    /** Sample i belongs to block floor(i B / n). */
    private int blockOf(long i) {
        return (int) (i * blocks.length / n);
    }

    /** Adds the next features (N, D) in sample order. */
    public FdBootstrap add(NDArray features) {
        long rows = features.getShape().get(0);
        if (added + rows > n) {
            throw new Get4jException("features for " + (added + rows) + " samples, expected " + n);
        }
        long row = 0;
        while (row < rows) {
            int b = blockOf(added + row);
            long end = row + 1;
            while (end < rows && blockOf(added + end) == b) {
                end++;
            }
            try (NDArray part = features.get(new NDIndex(row + ":" + end))) {
                blocks[b].add(part);
            }
            row = end;
        }
        added += rows;
        return this;
    }

    /** The statistics of all samples: exactly those a single accumulator would have. */
    public FeatureStatistics statistics() {
        requireComplete();
        FeatureStatistics all = new FeatureStatistics(dim);
        for (FeatureStatistics b : blocks) {
            all.merge(b);
        }
        return all;
    }

    /** FD to {@code reference} with its interval, by the documented resamples and seed. */
    public FdEstimate estimate(FeatureStatistics reference) {
        return estimate(reference, RESAMPLES, SEED);
    }

    public FdEstimate estimate(FeatureStatistics reference, int resamples, long seed) {
        requireComplete();
        double fd = FrechetDistance.between(statistics(), reference);
        if (blocks.length < 2) {
            return new FdEstimate(fd, Double.NaN, Double.NaN, n);
        }
        FrechetDistance.Reference ref = new FrechetDistance.Reference(reference);
        FeatureStatistics.Sums[] sums = Arrays.stream(blocks).map(FeatureStatistics::sums)
                .toArray(FeatureStatistics.Sums[]::new);
        SplittableRandom random = new SplittableRandom(seed);
        double[] resampled = new double[resamples];
        int[] draws = new int[blocks.length];
        for (int r = 0; r < resamples; r++) {
            Arrays.fill(draws, 0);
            for (int k = 0; k < blocks.length; k++) {
                draws[random.nextInt(blocks.length)]++;
            }
            FeatureStatistics s = FeatureStatistics.ofSums(weighted(sums, draws));
            resampled[r] = ref.distance(s.mean(), s.covariance());
        }
        double shift = fd - Arrays.stream(resampled).average().orElseThrow();
        Arrays.sort(resampled);
        return new FdEstimate(fd, percentile(resampled, 2.5) + shift, percentile(resampled, 97.5) + shift, n);
    }

    /** The sums of a resample: block b counted draws[b] times. */
    private FeatureStatistics.Sums weighted(FeatureStatistics.Sums[] sums, int[] draws) {
        long count = 0;
        double[] sum = new double[dim];
        double[] outer = new double[dim * dim];
        for (int b = 0; b < sums.length; b++) {
            int w = draws[b];
            if (w == 0) {
                continue;
            }
            count += w * sums[b].count();
            for (int i = 0; i < dim; i++) {
                sum[i] += w * sums[b].sum()[i];
            }
            double[] o = sums[b].outer();
            for (int i = 0; i < outer.length; i++) {
                outer[i] += w * o[i];
            }
        }
        return new FeatureStatistics.Sums(dim, count, sum, outer);
    }

    /** The p-th percentile of sorted values, linear between order statistics (numpy's default). */
    static double percentile(double[] sorted, double p) {
        double h = (sorted.length - 1) * p / 100;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    private void requireComplete() {
        if (added != n) {
            throw new IllegalStateException("features for " + added + " of " + n + " samples were added");
        }
    }
}
