package org.get4j.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Random;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;

/**
 * The interval against the thing it claims to measure: the spread of FD over independent samples of the same size
 * from a known Gaussian, N(m, I) against the exact reference N(0, I) (true FD |m|^2 = 0.25).
 */
class FdBootstrapTest {
    private static final int D = 4;
    private static final int N = 400;

    /** n samples of N((0.5, 0, 0, 0), I), (n, D) float64. */
    private static double[] gaussian(Random r, int n) {
        double[] x = new double[n * D];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian() + (i % D == 0 ? 0.5 : 0);
        }
        return x;
    }

    private static FeatureStatistics exactReference() {
        double[] identity = new double[D * D];
        for (int i = 0; i < D; i++) {
            identity[i * D + i] = 1;
        }
        return FeatureStatistics.of(new double[D], identity);
    }

    /** The bootstrap of these samples, fed in batches of 37 so that batches and blocks do not align. */
    private static FdBootstrap bootstrap(NDManager m, double[] x) {
        int n = x.length / D;
        FdBootstrap b = new FdBootstrap(D, n);
        for (int from = 0; from < n; from += 37) {
            int to = Math.min(n, from + 37);
            b.add(m.create(Arrays.copyOfRange(x, from * D, to * D), new Shape(to - from, D)));
        }
        return b;
    }

    @Test
    void blocksAddUpToTheStatisticsOfAllSamples() {
        try (NDManager m = TorchRuntime.newManager()) {
            double[] x = gaussian(new Random(1), 1000);
            FeatureStatistics all = new FeatureStatistics(D).add(m.create(x, new Shape(1000, D)));
            FeatureStatistics blocks = bootstrap(m, x).statistics();
            assertEquals(1000, blocks.count());
            assertArrayEquals(all.mean(), blocks.mean(), 1e-12);
            assertArrayEquals(all.covariance(), blocks.covariance(), 1e-12);
        }
    }

    @Test
    void theIntervalIsSeededAndHoldsTheEstimate() {
        try (NDManager m = TorchRuntime.newManager()) {
            FdBootstrap b = bootstrap(m, gaussian(new Random(2), N));
            FdEstimate e = b.estimate(exactReference());
            assertEquals(e, b.estimate(exactReference()), "same seed, same interval");
            assertNotEquals(e, b.estimate(exactReference(), FdBootstrap.RESAMPLES, 1), "another seed, other draws");
            assertEquals(FrechetDistance.between(b.statistics(), exactReference()), e.fd(), 1e-12);
            assertTrue(e.low() < e.fd() && e.fd() < e.high(), e.toString());
        }
    }

    @Test
    void theIntervalMatchesTheSpreadOverIndependentSamples() {
        Random r = new Random(3);
        try (NDManager m = TorchRuntime.newManager()) {
            // The sampling distribution of the estimate at n = 400, from 300 independent draws.
            double[] fds = new double[300];
            for (int i = 0; i < fds.length; i++) {
                double[] x = gaussian(r, N);
                fds[i] = FrechetDistance.between(new FeatureStatistics(D).add(m.create(x, new Shape(N, D))),
                        exactReference());
            }
            double mean = Arrays.stream(fds).average().orElseThrow();
            double sd = Math.sqrt(Arrays.stream(fds).map(f -> (f - mean) * (f - mean)).sum() / (fds.length - 1));
            // Each of 40 further draws gets an interval from its own samples alone.
            int covered = 0;
            double widths = 0;
            for (int i = 0; i < 40; i++) {
                FdEstimate e = bootstrap(m, gaussian(r, N)).estimate(exactReference());
                covered += e.low() <= mean && mean <= e.high() ? 1 : 0;
                widths += e.high() - e.low();
            }
            double width = widths / 40;
            assertEquals(2 * 1.96 * sd, width, 0.25 * 2 * 1.96 * sd, "interval width against 3.92 sd of the estimate");
            assertTrue(covered >= 34, covered + " of 40 intervals hold the estimator's mean (95% expected)");
        }
    }

    @Test
    void featuresAboveTheDimensionLimitGetTheDistanceWithoutAnInterval() {
        int d = FdBootstrap.MAX_DIM + 1;
        try (NDManager m = TorchRuntime.newManager()) {
            Random r = new Random(4);
            double[] x = new double[(d + 10) * d];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextGaussian();
            }
            FdBootstrap b = new FdBootstrap(d, d + 10).add(m.create(x, new Shape(d + 10, d)));
            double[] identity = new double[d * d];
            for (int i = 0; i < d; i++) {
                identity[i * d + i] = 1;
            }
            FdEstimate e = b.estimate(FeatureStatistics.of(new double[d], identity));
            assertTrue(e.fd() > 0 && Double.isNaN(e.low()) && Double.isNaN(e.high()), e.toString());
            assertTrue(e.toString().endsWith("(no interval)"), e.toString());
            assertEquals("- (too few samples)", new FdEstimate(Double.NaN, Double.NaN, Double.NaN, 100).toString(),
                    "no FD at all is not printed as the number NaN");
            assertFalse(e.distinguishableFrom(new FdEstimate(1e6, 1e6, 1e6, 10)), "no interval: nothing ranked");
        }
    }

    @Test
    void overlappingIntervalsAreNotDistinguishable() {
        FdEstimate a = new FdEstimate(98.4, 95.1, 101.9, 2000);
        assertFalse(a.distinguishableFrom(new FdEstimate(100.0, 97.0, 103.0, 2000)));
        assertTrue(a.distinguishableFrom(new FdEstimate(105.0, 102.0, 108.0, 2000)));
        assertEquals("98.4 [95.1, 101.9]", a.toString());
        assertEquals("1234 [1200, 1300]", new FdEstimate(1234.4, 1200.2, 1299.9, 10).toString());
    }

    @Test
    void incompleteFeaturesAreRefused() {
        try (NDManager m = TorchRuntime.newManager()) {
            FdBootstrap b = new FdBootstrap(D, 10);
            b.add(m.create(new double[5 * D], new Shape(5, D)));
            assertThrows(IllegalStateException.class, b::statistics);
            assertThrows(org.get4j.Get4jException.class, () -> b.add(m.create(new double[6 * D], new Shape(6, D))));
        }
    }
}
