package org.get4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;
import org.get4j.diffusion.SamplerConfig;
import org.get4j.diffusion.Teachers;
import org.get4j.io.HostTensor;
import org.get4j.io.Npy;
import org.get4j.io.SafeTensors;
import org.get4j.metrics.Evaluation;
import org.get4j.metrics.FeatureExtractor;
import org.get4j.metrics.FeatureStatistics;
import org.get4j.pairs.PairGenerator;
import org.get4j.pairs.PairManifest;
import org.get4j.pairs.SeedRange;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkStatisticsTest {
    @TempDir
    static Path dir;
    static JavaSparkContext sc;

    @BeforeAll
    static void start() {
        sc = LocalSpark.start(2);
    }

    @AfterAll
    static void stop() {
        if (sc != null) {
            sc.close();
        }
    }

    /** max |a - b| / max |b|: the relative difference of two arrays as a whole. */
    private static double relative(double[] a, double[] b) {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / scale;
    }

    static FeatureStatistics singleMachine(HostTensor images, int batch) {
        try (NDManager m = TorchRuntime.newManager()) {
            FeatureExtractor fx = FeatureExtractor.named(m, "lenet-mnist", null);
            return Evaluation.statistics(fx, Evaluation.ImageSource.of(images, "images"), batch);
        }
    }

    static void assertSame(FeatureStatistics expected, FeatureStatistics actual) {
        assertEquals(expected.count(), actual.count());
        double mu = relative(actual.mean(), expected.mean());
        double sigma = relative(actual.covariance(), expected.covariance());
        assertTrue(mu <= 1e-12 && sigma <= 1e-12, "relative differences: mean " + mu + ", covariance " + sigma);
    }

    /** A pair store's teacher images, in shard order, as one (n, 1, 32, 32) array. */
    static HostTensor storeImages(Path store) {
        PairManifest manifest = PairManifest.read(store);
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (PairManifest.Shard s : manifest.shards()) {
            all.writeBytes(SafeTensors.read(store.resolve(s.file())).tensors().get("image").data());
        }
        return new HostTensor(org.get4j.io.TensorDType.FLOAT32, new long[] {manifest.count(), 1, 32, 32},
                all.toByteArray());
    }

    @Test
    void distributedStatisticsOfAnArrayEqualSingleMachineStatistics() {
        // 300 images, float32 in [-1, 1] and the same as uint8: 5 tasks of 2 batches of 32 (the last one short)
        int n = 300;
        float[] x = new float[n * 32 * 32];
        byte[] q = new byte[x.length];
        Random r = new Random(7);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.tanh(r.nextGaussian() + Math.sin(i % 1024 / 50.0));
            q[i] = (byte) Math.round((x[i] + 1) * 127.5);
        }
        HostTensor floats = HostTensor.ofFloats(x, n, 1, 32, 32);
        HostTensor bytes = new HostTensor(org.get4j.io.TensorDType.UINT8, new long[] {n, 1, 32, 32}, q);
        Path floatFile = dir.resolve("images.npy");
        Path byteFile = dir.resolve("images-u8.npy");
        Npy.write(floatFile, floats);
        Npy.write(byteFile, bytes);
        SparkStatistics.Features lenet = new SparkStatistics.Features("lenet-mnist", null);
        assertSame(singleMachine(floats, 32),
                SparkStatistics.ofArrays(sc, List.of(floatFile.toUri().toString()), lenet, 32, 2));
        assertSame(singleMachine(bytes, 32),
                SparkStatistics.ofArrays(sc, List.of(byteFile.toString()), lenet, 32, 2));
    }

    @Test
    void distributedStatisticsOfAPairStoreEqualSingleMachineStatistics() {
        Path store = dir.resolve("pairs");
        Path teacher = Path.of(System.getenv("GET4J_DATA"), "teachers", "edm-mnist-small.safetensors");
        try (NDManager m = TorchRuntime.newManager()) {
            new PairGenerator(Teachers.load(m, teacher), SamplerConfig.reference().withSteps(3), SeedRange.parse("0-9"),
                    4, 5, false).generate(m, store, p -> { });
        }
        // the single-machine statistics of the same images, concatenated in shard order
        assertSame(singleMachine(storeImages(store), 4),
                SparkStatistics.ofPairs(sc, store.toString(), new SparkStatistics.Features("lenet-mnist", null), 4));
    }
}
