package org.get4j.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.get4j.io.Checksums;
import org.get4j.io.Npy;
import org.get4j.pairs.SeededNoise;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each MNIST teacher shipped under data/teachers loads and reproduces its recorded samples: 4 images from seeds 0-3
 * with the reference sampler (18 Heun steps, float64), in src/test/resources/fixtures/teacher/NAME-samples.npy.
 * {@link #main} recorded them:
 * {@code java -cp "target/test-classes:target/classes:target/lib/*" org.get4j.diffusion.ShippedTeacherTest NAME}.
 */
class ShippedTeacherTest {
    /** SHA-256 of each teacher's four uint8 images. */
    static final Map<ShippedTeacher, String> RECORDED_SHA256 = Map.of(
            ShippedTeacher.SMALL, "d30cdcaf015bec7ae7cf2a6ed871e648dd25bc10c8dfa9d1ded21668ce3029a9",
            ShippedTeacher.MNIST, "917195b3d3cd9d6990567475c545c90f194b562ad4ee39eb6995e81341a302b8",
            ShippedTeacher.CONDITIONAL, "4887422213d9e26c1084362ffe832c54ad22afbfac55b9708763e84da4fa7d1b");

    /**
     * The four images, quantised to uint8 as the reference quantises samples; a conditional teacher draws each seed's
     * class as pairs do ({@link SeededNoise#labels}).
     */
    static byte[] sample(Denoiser teacher, NDManager m) {
        NDArray e = m.create(SeededNoise.noise(0, 4, 1024), new Shape(4, 1, 32, 32));
        NDArray labels = teacher.numClasses() == 0 ? null
                : m.create(SeededNoise.labels(0, 4, teacher.numClasses()));
        return Teachers.toBytes(new EdmSampler(SamplerConfig.reference()).sample(teacher, e, labels));
    }

    static String fixture(ShippedTeacher t) {
        return "fixtures/teacher/" + t + "-samples.npy";
    }

    /** Records the fixture of each teacher named (edm-mnist-conditional ...) and prints its SHA-256. */
    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("name the teachers to record: " + java.util.Arrays.toString(ShippedTeacher.values()));
            System.exit(2);
        }
        for (ShippedTeacher t : ShippedTeacher.values()) {
            if (!java.util.List.of(args).contains(t.toString())) {
                continue;
            }
            try (NDManager m = TorchRuntime.newManager()) {
                byte[] bytes = sample(Teachers.load(m, t.path()), m);
                Path out = Path.of("src/test/resources").resolve(fixture(t));
                Npy.write(out, new org.get4j.io.HostTensor(org.get4j.io.TensorDType.UINT8, new long[] {4, 1, 32, 32},
                        bytes));
                System.out.println("recorded " + out + ", sha256 of the uint8 samples: " + Checksums.sha256(bytes));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ShippedTeacher.class)
    void shippedTeacherReproducesItsRecordedSamples(ShippedTeacher teacher) throws Exception {
        Path file = teacher.path();
        assertTrue(Files.isRegularFile(file), "shipped teacher " + file + " is missing");
        Path recorded = Path.of(ShippedTeacherTest.class.getResource("/" + fixture(teacher)).toURI());
        byte[] expected = Npy.read(recorded).data();
        try (NDManager m = TorchRuntime.newManager()) {
            byte[] ours = sample(Teachers.load(m, file), m);
            // Exact on this machine; elsewhere kernels may sum in another order, so allow one quantisation level on
            // at most 0.5% of pixels before calling it a different teacher.
            int off = 0;
            for (int i = 0; i < ours.length; i++) {
                int d = Math.abs((ours[i] & 0xff) - (expected[i] & 0xff));
                assertTrue(d <= 1, teacher + ": pixel " + i + " differs by " + d + " levels");
                off += d;
            }
            assertTrue(off <= ours.length / 200, teacher + ": " + off + " pixels differ by one level");
            if (off == 0) {
                assertEquals(RECORDED_SHA256.get(teacher), Checksums.sha256(ours));
            }
        }
    }
}
