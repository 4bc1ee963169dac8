package org.get4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.get4j.io.HostTensor;
import org.get4j.io.Npy;
import org.get4j.io.TorchFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCommandsTest {
    @TempDir
    Path dir;

    private static Path fixture(String name) throws Exception {
        return Path.of(ModelCommandsTest.class.getResource("/fixtures/torch/" + name).toURI());
    }

    @Test
    void benchWritesTheReportWithMfuTeacherRatioAndBreakdown() throws Exception {
        Path prefix = dir.resolve("b/bench");
        CliRun r = CliRun.of("bench", "--model", "GET-Mini", "--batch", "2", "--warmup", "0", "--repeats", "1",
                "--teacher-images", "2", "--unroll", "2", "--out", prefix.toString());
        assertEquals(0, r.code(), r.err());
        String md = java.nio.file.Files.readString(Path.of(prefix + ".md"));
        assertTrue(md.contains("fp32 GEMM") && md.contains("MFU") && md.contains("the teacher's rate")
                && md.contains("| attention |") && md.contains("| injection projection |")
                && md.contains("GET: 2 unrolled states per training step") && md.contains("Ceiling (estimate)"), md);
        assertEquals(2, java.nio.file.Files.readAllLines(Path.of(prefix + ".csv")).size());
        assertTrue(java.nio.file.Files.readString(Path.of(prefix + "-breakdown.csv")).contains("GET-Mini,2,\"MLP\""));
        CliRun bad = CliRun.of("bench", "--model", "GET-Mini,ViT-Mini", "--batch", "1,2,3");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--batch"), bad.err());
    }

    @Test
    void paramsPrintsTheReferenceCount() {
        CliRun r = CliRun.of("params", "--model", "GET-B", "--classes", "10");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("62,230,284"), r.out()); // 62,207,244 + 10 classes x 3D (D = 768)
    }

    @Test
    void forwardReproducesTheReferenceImagesFromNpyFiles() throws Exception {
        Map<?, ?> io = (Map<?, ?>) TorchFile.load(fixture("get_p2_io.pt"));
        Path noise = dir.resolve("noise.npy");
        Path z0 = dir.resolve("z0.npy");
        Npy.write(noise, (HostTensor) io.get("noise"));
        Npy.write(z0, (HostTensor) io.get("z0"));
        Path out = dir.resolve("images.npy");
        String[] model = {"--arch", "get", "--image-size", "8", "--channels", "3", "--patch", "2", "--width", "32",
            "--heads", "4", "--depth", "2", "--mem-depth", "3", "--deq-mlp-ratio", "2"};
        // the fixture holds the reference's images, made with its rule: each sample's lowest-residual iterate
        String[] args = concat(new String[] {"forward", "--checkpoint", fixture("get_p2.pth").toString(), "--noise",
            noise.toString(), "--z0", z0.toString(), "--pick", "lowest", "--out", out.toString()}, model);
        CliRun r = CliRun.of(args);
        assertEquals(0, r.code(), r.err());
        float[] ours = Npy.read(out).toFloatArray();
        float[] ref = ((HostTensor) io.get("images")).toFloatArray();
        for (int i = 0; i < ref.length; i++) {
            assertEquals(ref[i], ours[i], 1e-4 * Math.max(1, Math.abs(ref[i])));
        }
        HostTensor residuals = Npy.read(dir.resolve("images.residuals.npy"));
        assertEquals(6, residuals.shape()[0]);

        // a z0 of the wrong shape is named
        Npy.write(z0, HostTensor.ofFloats(new float[3 * 16 * 8], 3, 16, 8));
        CliRun bad = CliRun.of(args);
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("z0.npy") && bad.err().contains("[3, 16, 32]"), bad.err());
        // a reference checkpoint without a model description
        CliRun noModel = CliRun.of("forward", "--checkpoint", fixture("get_p2.pth").toString(), "--noise", noise.toString(),
                "--out", out.toString());
        assertEquals(1, noModel.code());
        assertTrue(noModel.err().contains("--model"), noModel.err());
    }

    @Test
    void badFlagValuesAreUsageErrors() throws Exception {
        CliRun r = CliRun.of("forward", "--checkpoint", "x.pth", "--noise", "n.npy", "--out", "o.npy", "--solver", "newton",
                "--model", "GET-T");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("newton"), r.err());
        assertEquals(2, CliRun.of("params", "--model", "GET-XXL").code());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
