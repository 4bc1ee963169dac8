package org.get4j.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.get4j.diffusion.GaussianMixtureTeacher;
import org.get4j.io.HostTensor;
import org.get4j.io.Npy;
import org.get4j.io.TensorDType;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 18: every bad input in {@code cli/bad-inputs.tsv} gets one line on stderr that contains the expected
 * fragment (it names the flag or file), exit code 2 for a usage error and 1 for a failure, no stack trace, and
 * nothing on stdout. The table is the specification; add a row for every bad input found.
 */
class BadInputsTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void fixtures() throws IOException {
        Path teacher = dir.resolve("teacher.safetensors");
        double[] means = new double[256];
        for (int i = 0; i < means.length; i++) {
            means[i] = Math.cos(i / 7.0) * 0.5;
        }
        double[] twoMeans = new double[2 * means.length];
        for (int i = 0; i < twoMeans.length; i++) {
            twoMeans[i] = i < means.length ? means[i] : -means[i - means.length];
        }
        try (NDManager m = TorchRuntime.newManager();
                GaussianMixtureTeacher t = GaussianMixtureTeacher.of(m, 1, 16, 0, means, new double[0], new double[0],
                        new double[] {0.02}, new double[] {1});
                GaussianMixtureTeacher other = GaussianMixtureTeacher.of(m, 1, 16, 0, means, new double[0],
                        new double[0], new double[] {0.03}, new double[] {1});
                GaussianMixtureTeacher twoClasses = GaussianMixtureTeacher.of(m, 1, 16, 0, twoMeans, new double[0],
                        new double[0], new double[] {0.02, 0.02}, new double[] {0.5, 0.5})) {
            t.save(teacher);
            other.save(dir.resolve("other-teacher.safetensors"));
            twoClasses.save(dir.resolve("two-classes.safetensors"));
        }
        ok("pairs", "generate", "--teacher", dir.resolve("two-classes.safetensors").toString(), "--conditional",
                "--seeds", "0-7", "--steps", "4", "--out", dir.resolve("cond-pairs").toString());
        ok("train", "--pairs", dir.resolve("cond-pairs").toString(), "--arch", "get", "--image-size", "16",
                "--channels", "1", "--patch", "4", "--width", "32", "--heads", "4", "--depth", "1", "--deq-mlp-ratio",
                "2", "--classes", "2", "--steps", "1", "--batch", "4", "--out", dir.resolve("cond-run").toString());
        ok("pairs", "generate", "--teacher", teacher.toString(), "--seeds", "0-23", "--shard-size", "12", "--steps",
                "4", "--out", dir.resolve("pairs").toString());
        ok("train", "--pairs", dir.resolve("pairs").toString(), "--arch", "get", "--image-size", "16", "--channels",
                "1", "--patch", "4", "--width", "32", "--heads", "4", "--depth", "1", "--deq-mlp-ratio", "2", "--steps",
                "2", "--batch", "4", "--out", dir.resolve("run").toString());
        Random random = new Random(0);
        float[] noise = new float[2 * 256];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (float) random.nextGaussian();
        }
        Npy.write(dir.resolve("noise.npy"), HostTensor.ofFloats(noise, 2, 1, 16, 16));
        float[] nan = noise.clone();
        nan[17] = Float.NaN;
        Npy.write(dir.resolve("nan.npy"), HostTensor.ofFloats(nan, 2, 1, 16, 16));
        Npy.write(dir.resolve("empty.npy"), HostTensor.ofFloats(new float[0], 0, 1, 16, 16));
        Npy.write(dir.resolve("wrong.npy"), HostTensor.ofFloats(noise, 2, 2, 16, 8));
        Files.writeString(dir.resolve("text.npy"), "not an array\n");
        byte[] bytes = new byte[4096];
        random.nextBytes(bytes);
        Files.write(dir.resolve("random.safetensors"), bytes);
        Files.createDirectories(dir.resolve("badstore"));
        Files.writeString(dir.resolve("badstore/manifest.json"), "{\"count\": 24, \"shards\": [");
        damage("/fixtures/torch/get_p2.pth", dir.resolve("damaged.pth"));
        damage("/fixtures/torchscript/tiny_denoiser.pt", dir.resolve("damaged.pt"));
        Files.copy(resource("/fixtures/torchscript/tiny_denoiser.pt.json"), dir.resolve("damaged.pt.json"));
        // a run whose checkpoint says step 1 where it was written at step 2 (the edit of issue 18, item 5)
        Path edited = Files.createDirectories(dir.resolve("edited"));
        for (String f : List.of("checkpoint.safetensors", "metrics.csv", "run.json")) {
            Files.copy(dir.resolve("run").resolve(f), edited.resolve(f));
        }
        byte[] ckpt = Files.readAllBytes(edited.resolve("checkpoint.safetensors"));
        String text = new String(ckpt, StandardCharsets.ISO_8859_1);
        ckpt[text.indexOf("\"step\":\"2\"") + "\"step\":\"".length()] = '1';
        Files.write(edited.resolve("checkpoint.safetensors"), ckpt);
        byte[] pixels = new byte[20 * 32 * 32];
        random.nextBytes(pixels);
        Npy.write(dir.resolve("images.npy"), new HostTensor(TensorDType.UINT8, new long[] {20, 1, 32, 32}, pixels));
        float[] nanImages = new float[20 * 32 * 32];
        Arrays.fill(nanImages, Float.NaN);
        Npy.write(dir.resolve("nan-images.npy"), HostTensor.ofFloats(nanImages, 20, 1, 32, 32));
    }

    private static Path resource(String name) {
        try {
            return Path.of(BadInputsTest.class.getResource(name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy of a zip fixture with one byte flipped inside its largest stored record. */
    private static void damage(String fixture, Path to) throws IOException {
        byte[] file = Files.readAllBytes(resource(fixture));
        byte[] largest;
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(resource(fixture).toFile())) {
            java.util.zip.ZipEntry entry = zip.stream().filter(e -> e.getName().contains("/data/"))
                    .max(java.util.Comparator.comparingLong(java.util.zip.ZipEntry::getSize)).orElseThrow();
            largest = zip.getInputStream(entry).readAllBytes();
        }
        for (int i = 0; i + 32 <= file.length; i++) {
            if (Arrays.equals(file, i, i + 32, largest, 0, 32)) {
                file[i + 3] ^= 0x08;
                Files.write(to, file);
                return;
            }
        }
        throw new IllegalStateException("no stored record found in " + fixture);
    }

    private static void ok(String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(0, r.code(), "fixture: get4j " + String.join(" ", args) + "\n" + r.err());
    }

    static Stream<Arguments> rows() throws IOException {
        try (InputStream in = BadInputsTest.class.getResourceAsStream("/cli/bad-inputs.tsv")) {
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
            assertTrue(lines.size() >= 60, "the issue asks for at least 60 bad inputs; the table has " + lines.size());
            return lines.stream().map(l -> {
                String[] cells = l.split("\t", -1);
                assertEquals(3, cells.length, "three tab-separated cells: " + l);
                return Arguments.of(Integer.parseInt(cells[0]), cells[1], cells[2]);
            });
        }
    }

    @ParameterizedTest(name = "[{index}] get4j {2}")
    @MethodSource("rows")
    void aBadInputIsOneLineNamingWhatIsWrong(int exit, String fragment, String args) {
        String folder = dir.toString();
        String[] argv = args.isBlank() ? new String[0]
                : Arrays.stream(args.strip().split(" +")).map(a -> a.replace("$D", folder)).toArray(String[]::new);
        String expected = fragment.replace("$D", folder);
        CliRun r = CliRun.of(argv);
        List<String> errLines = r.err().lines().filter(l -> !l.isBlank()).toList();
        String last = errLines.isEmpty() ? "" : errLines.get(errLines.size() - 1);
        assertAll(args,
                () -> assertEquals(exit, r.code(), "exit code; stderr:\n" + r.err()),
                () -> assertTrue(last.contains(expected), "the last line of stderr should contain '" + expected
                        + "':\n" + r.err()),
                () -> assertTrue(argv.length == 0 || argv.length == 1 && r.err().contains("Usage:")
                        || errLines.size() == 1, "one line on stderr:\n" + r.err()),
                () -> assertTrue(!r.err().contains("\tat ") && !r.err().contains("Exception"),
                        "no stack trace or Java class names:\n" + r.err()));
    }
}
