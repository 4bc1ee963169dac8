package org.get4j.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Map;
import org.get4j.Get4jException;
import org.get4j.io.HostTensor;
import org.get4j.io.Npy;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against numpy statistics and scipy's sqrtm route (src/test/resources/fixtures/fid/make_fixture.py). */
class FrechetDistanceTest {
    @TempDir
    Path dir;

    private static Path fixture(String name) throws Exception {
        return Path.of(FrechetDistanceTest.class.getResource("/fixtures/fid/" + name).toURI());
    }

    private static Map<?, ?> expected() throws Exception {
        return new ObjectMapper().readValue(fixture("expected.json").toFile(), Map.class);
    }

    @Test
    void matchesScipyToNineDigits() throws Exception {
        FeatureStatistics a = FeatureStatistics.load(fixture("stats_a.npz"));
        FeatureStatistics b = FeatureStatistics.load(fixture("stats_b.npz"));
        double fd = FrechetDistance.between(a, b);
        double ref = ((Number) expected().get("fd_a_b")).doubleValue();
        assertEquals(ref, fd, 1e-9 * ref);
    }

    @Test
    void statisticsFromFeaturesEqualNumpysAndRoundTripAsNpz() throws Exception {
        HostTensor features = Npy.read(fixture("features_a.npy"));
        FeatureStatistics ref = FeatureStatistics.load(fixture("stats_a.npz"));
        try (NDManager m = TorchRuntime.newManager()) {
            // accumulated in three uneven batches, then merged: the same as all at once
            FeatureStatistics s = new FeatureStatistics(16);
            FeatureStatistics other = new FeatureStatistics(16);
            var all = features.toNDArray(m);
            s.add(all.get("0:100"));
            other.add(all.get("100:250")).add(all.get("250:300"));
            s.merge(other);
            assertEquals(300, s.count());
            assertArrayEquals(ref.mean(), s.mean(), 1e-12);
            assertArrayEquals(ref.covariance(), s.covariance(), 1e-12);
            Path file = dir.resolve("s.npz");
            s.save(file);
            FeatureStatistics back = FeatureStatistics.load(file);
            assertArrayEquals(s.covariance(), back.covariance(), 0);
        }
    }

    @Test
    void equalCovariancesLeaveTheSquaredMeanDistance() throws Exception {
        FeatureStatistics a = FeatureStatistics.load(fixture("stats_a.npz"));
        double[] shifted = a.mean();
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] += 0.25;
        }
        double fd = FrechetDistance.between(a.mean(), a.covariance(), shifted, a.covariance());
        assertEquals(16 * 0.0625, fd, 1e-9);
        assertEquals(((Number) expected().get("fd_equal_cov")).doubleValue(), fd, 1e-9);
    }

    @Test
    void fewerSamplesThanDimensionsIsAnError() {
        try (NDManager m = TorchRuntime.newManager()) {
            FeatureStatistics s = new FeatureStatistics(16).add(m.randomNormal(new ai.djl.ndarray.types.Shape(10, 16)));
            FeatureStatistics t = new FeatureStatistics(16).add(m.randomNormal(new ai.djl.ndarray.types.Shape(40, 16)));
            Get4jException e = assertThrows(Get4jException.class, () -> FrechetDistance.between(s, t));
            assertTrue(e.getMessage().contains("10 samples of 16-d"), e.getMessage());
        }
    }

    @Test
    void nonFiniteStatisticsAreNamedNotDecomposed() {
        double[] identity = {1, 0, 0, 0, 1, 0, 0, 0, 1};
        FeatureStatistics good = FeatureStatistics.of(new double[] {0, 0, 0}, identity);
        FeatureStatistics bad = FeatureStatistics.of(new double[] {Double.NaN, 0, 0}, identity);
        Get4jException e = assertThrows(Get4jException.class, () -> FrechetDistance.between(bad, good));
        assertTrue(e.getMessage().contains("not finite"), e.getMessage());
    }
}
