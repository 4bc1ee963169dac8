package org.get4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.get4j.diffusion.GaussianMixtureTeacher;
import org.get4j.pairs.PairManifest;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pair, train, sample and fd commands end to end on a tiny analytic teacher. */
class PipelineCommandsTest {
    @TempDir
    Path dir;

    /** A one-class Gaussian over 1 x 16 x 16 images, saved as a teacher file. */
    private Path teacher() {
        int d = 256;
        double[] means = new double[d];
        for (int i = 0; i < d; i++) {
            means[i] = Math.cos(i / 7.0) * 0.5;
        }
        Path file = dir.resolve("gmm.safetensors");
        try (NDManager m = TorchRuntime.newManager();
                GaussianMixtureTeacher t = GaussianMixtureTeacher.of(m, 1, 16, 0, means, new double[0], new double[0],
                        new double[] {0.02}, new double[] {1})) {
            t.save(file);
        }
        return file;
    }

    @Test
    void pairsTrainAndSampleFromTheCommandLine() throws Exception {
        Path pairs = dir.resolve("pairs");
        CliRun gen = CliRun.of("pairs", "generate", "--teacher", teacher().toString(), "--seeds", "0-23", "--shard-size",
                "10", "--steps", "4", "--out", pairs.toString());
        assertEquals(0, gen.code(), gen.err());
        assertTrue(gen.out().contains("24 pairs"), gen.out());
        assertEquals(0, CliRun.of("pairs", "verify", pairs.toString()).code());
        CliRun show = CliRun.of("pairs", "show", pairs.toString(), "--grid", dir.resolve("g.png").toString());
        assertTrue(show.out().contains("3 shards") && Files.size(dir.resolve("g.png")) > 0, show.out());
        Path out = dir.resolve("run");
        CliRun train = CliRun.of("train", "--pairs", pairs.toString(), "--arch", "get", "--image-size", "16", "--channels",
                "1", "--patch", "4", "--width", "32", "--heads", "4", "--depth", "1", "--deq-mlp-ratio", "2",
                "--z0-scale", "0", "--z0-injection", "--steps", "4", "--batch", "4", "--checkpoint-every", "2",
                "--out", out.toString());
        assertEquals(0, train.code(), train.err());
        CliRun past = CliRun.of("train", "--pairs", pairs.toString(), "--arch", "get", "--image-size", "16",
                "--channels", "1", "--patch", "4", "--width", "32", "--heads", "4", "--depth", "1", "--deq-mlp-ratio",
                "2", "--z0-scale", "0", "--z0-injection", "--steps", "2", "--batch", "4", "--resume", "--out",
                out.toString());
        assertEquals(1, past.code(), "a checkpoint past --steps is refused: " + past.err());
        assertTrue(past.err().contains("at step 4, past --steps 2"), past.err());
        Map<?, ?> record = new ObjectMapper().readValue(out.resolve("run.json").toFile(), Map.class);
        assertTrue(record.containsKey("versions") && ((Map<?, ?>) record.get("pairs")).containsKey("manifest_sha256"));
        Map<?, ?> model = (Map<?, ?>) record.get("model");
        assertEquals(Boolean.TRUE, model.get("z0_injection"), "the start-state flags are recorded: " + model);
        assertEquals(0.0, ((Number) model.get("z0_scale")).doubleValue());
        CliRun sample = CliRun.of("sample", "--checkpoint", out.resolve("checkpoint.safetensors").toString(), "--n", "4",
                "--iters", "3", "--out", dir.resolve("samples").toString());
        assertEquals(0, sample.code(), sample.err());
        assertTrue(Files.size(dir.resolve("samples/samples.npy")) > 4 * 256 * 4);
        CliRun badPick = CliRun.of("sample", "--checkpoint", out.resolve("checkpoint.safetensors").toString(), "--n",
                "4", "--pick", "best", "--out", dir.resolve("samples2").toString());
        assertEquals(2, badPick.code());
        assertTrue(badPick.err().contains("--pick must be final or lowest"), badPick.err());

        // a damaged shard fails verification with its name
        Path shard = pairs.resolve(PairManifest.shardFile(2));
        byte[] bytes = Files.readAllBytes(shard);
        bytes[bytes.length - 2] ^= 0x10;
        Files.write(shard, bytes);
        CliRun bad = CliRun.of("pairs", "verify", pairs.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains(shard.getFileName().toString()), bad.err());
    }

    @Test
    void fdBetweenStatisticsFilesMatchesTheScipyFixture() throws Exception {
        Path fixtures = Path.of(PipelineCommandsTest.class.getResource("/fixtures/fid").toURI());
        CliRun r = CliRun.of("fd", fixtures.resolve("stats_a.npz").toString(), fixtures.resolve("stats_b.npz").toString());
        assertEquals(0, r.code(), r.err());
        double expected = ((Number) new ObjectMapper().readValue(fixtures.resolve("expected.json").toFile(), Map.class)
                .get("fd_a_b")).doubleValue();
        assertTrue(r.out().contains(String.format("%.4f", expected)), r.out());
        assertEquals(2, CliRun.of("fd", fixtures.resolve("stats_a.npz").toString()).code(), "one input needs --save-stats");
        assertTrue(r.out().contains("floor (real vs real): not computed"), r.out());
    }

    /** 500 real test digits against the test split: a distance of the order of the floor printed beside it. */
    @Test
    void fdBetweenImagesAndASplitPrintsTheRealVersusRealFloor(@org.junit.jupiter.api.io.TempDir Path dir) {
        org.get4j.data.ImageSet test = org.get4j.data.Datasets.load(org.get4j.data.Dataset.MNIST,
                org.get4j.data.Dataset.Split.TEST).padTo(32);
        byte[] pixels = test.pixels(0, 500);
        Path npy = dir.resolve("real.npy");
        org.get4j.io.Npy.write(npy, new org.get4j.io.HostTensor(org.get4j.io.TensorDType.UINT8,
                new long[] {500, 1, 32, 32}, pixels));
        Path record = dir.resolve("fd.json");
        CliRun r = CliRun.of("fd", npy.toString(), "mnist:test", "--record", record.toString());
        assertEquals(0, r.code(), r.err());
        java.util.regex.Matcher fd = java.util.regex.Pattern.compile("FD-LeNet-MNIST: ([0-9.]+)").matcher(r.out());
        java.util.regex.Matcher floor = java.util.regex.Pattern
                .compile("floor \\(real vs real, n = 500, train subset vs mnist:test\\): ([0-9.]+)").matcher(r.out());
        assertTrue(fd.find() && floor.find(), r.out());
        double distance = Double.parseDouble(fd.group(1));
        double base = Double.parseDouble(floor.group(1));
        // real test digits sit at the floor of real train digits (both are sampling noise at n = 500), far below
        // any generator here (the teacher's 34 at n = 10,000)
        assertTrue(base > 0 && distance < 3 * base && base < 30, "distance " + distance + ", floor " + base);
        // the interval resamples the 500 images, not the split
        java.util.regex.Matcher interval = java.util.regex.Pattern.compile("FD-LeNet-MNIST: [0-9.]+ \\[([0-9.]+), "
                + "([0-9.]+)\\] \\(95% interval over the 500 samples of " + java.util.regex.Pattern.quote(npy.toString()))
                .matcher(r.out());
        assertTrue(interval.find(), r.out());
        assertTrue(Double.parseDouble(interval.group(1)) < distance && distance < Double.parseDouble(interval.group(2)));
        // --record keeps what was printed, naming the images by checksum: a changed file makes the record stale
        org.get4j.metrics.FdRecord kept = org.get4j.metrics.FdRecord.read(record);
        assertEquals(distance, kept.fd(), 1e-4);
        assertEquals(base, kept.floor(), 1e-4);
        assertEquals(Double.parseDouble(interval.group(1)), kept.low(), 1e-4);
        assertEquals(500, kept.samples());
        assertTrue(kept.matches(npy, "FD-LeNet-MNIST"));
        assertFalse(kept.matches(npy, "FID"));
        pixels[0] ^= 1;
        org.get4j.io.Npy.write(npy, new org.get4j.io.HostTensor(org.get4j.io.TensorDType.UINT8,
                new long[] {500, 1, 32, 32}, pixels));
        assertFalse(kept.matches(npy, "FD-LeNet-MNIST"), "the images changed since they were scored");
        assertEquals(2, CliRun.of("fd", "a.npz", "b.npz", "--record", record.toString()).code(), "no images to name");
    }

    /** Issue 20: the shipped teacher's FD at a given cost, beside the floor at the same sample count. */
    @Test
    void teacherEvalPrintsTheCostCurveAndTheFloor() {
        CliRun r = CliRun.of("teacher", "eval", "--teacher", "data/teachers/edm-mnist-small.safetensors", "--n", "200",
                "--steps", "1,2", "--batch", "100");
        assertEquals(0, r.code(), r.err());
        java.util.regex.Matcher floor = java.util.regex.Pattern.compile("floor \\(200 real training images\\): "
                + "([0-9.]+)").matcher(r.out());
        assertTrue(floor.find() && Double.parseDouble(floor.group(1)) > 0, r.out());
        // each FD with its bootstrap interval around it: "FD-LeNet-MNIST 412.3 [398.0, 425.1]"
        java.util.regex.Matcher point = java.util.regex.Pattern.compile("steps   2  evaluations   3  FD-LeNet-MNIST "
                + "([0-9.]+) \\[([0-9.]+), ([0-9.]+)\\]").matcher(r.out());
        assertTrue(r.out().contains("steps   1  evaluations   1  FD-LeNet-MNIST ") && point.find(), r.out());
        double fd = Double.parseDouble(point.group(1));
        assertTrue(Double.parseDouble(point.group(2)) < fd && fd < Double.parseDouble(point.group(3)), r.out());
    }

    /** Issue 24: a conditional student samples the class asked for: --class K for all, --labels FILE per sample. */
    @Test
    void conditionalSamplingHonoursTheClassAndALabelFile() throws Exception {
        Path ckpt = dir.resolve("conditional.safetensors");
        try (NDManager m = TorchRuntime.newManager()) {
            org.get4j.model.Generator g = org.get4j.model.Generator.create(
                    org.get4j.model.ModelConfig.get(16, 1, 4, 32, 4, 1, 1, 2, 10), m);
            // move every weight off its initial value, so that no zero-initialised path hides the label
            java.util.Random r = new java.util.Random(0);
            for (ai.djl.nn.Parameter p : g.stateDict().values()) {
                float[] v = p.getArray().toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] += (float) (0.05 * r.nextGaussian());
                }
                org.get4j.runtime.Torch.assign(p.getArray(), v);
            }
            org.get4j.model.Checkpoints.save(ckpt, g, null, Map.of());
        }
        java.util.function.Function<String[], float[]> sample = extra -> {
            Path out = dir.resolve("s" + Math.abs(String.join(" ", extra).hashCode()));
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("sample", "--checkpoint",
                    ckpt.toString(), "--n", "4", "--seed", "100", "--out", out.toString()));
            args.addAll(java.util.List.of(extra));
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertEquals(0, run.code(), run.err());
            return org.get4j.io.Npy.read(out.resolve("samples.npy")).toFloatArray();
        };
        float[] three = sample.apply(new String[] {"--class", "3"});
        float[] seven = sample.apply(new String[] {"--class", "7"});
        assertTrue(java.util.Arrays.equals(three, sample.apply(new String[] {"--class", "3", "--iters", "6"})),
                "same seed and label: the same images");
        assertTrue(!java.util.Arrays.equals(three, seven), "only the label changed: other images");
        Path file = dir.resolve("labels.txt");
        Files.writeString(file, "# two threes, then two sevens\n3\n3\n\n7\n7\n");
        float[] mixed = sample.apply(new String[] {"--labels", file.toString()});
        int px = three.length / 4;
        assertTrue(java.util.Arrays.equals(java.util.Arrays.copyOfRange(three, 0, 2 * px),
                java.util.Arrays.copyOfRange(mixed, 0, 2 * px)), "samples 0-1 are the class-3 images");
        assertTrue(java.util.Arrays.equals(java.util.Arrays.copyOfRange(seven, 2 * px, 4 * px),
                java.util.Arrays.copyOfRange(mixed, 2 * px, 4 * px)), "samples 2-3 are the class-7 images");

        Files.writeString(file, "3\nseven\n7\n7\n");
        CliRun bad = CliRun.of("sample", "--checkpoint", ckpt.toString(), "--n", "4", "--labels", file.toString(),
                "--out", dir.resolve("bad").toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains(file + " line 2: 'seven' is not a class number"), bad.err());
        Files.writeString(file, "3\n7\n");
        CliRun few = CliRun.of("sample", "--checkpoint", ckpt.toString(), "--n", "4", "--labels", file.toString(),
                "--out", dir.resolve("few").toString());
        assertTrue(few.code() != 0 && few.err().contains("holds 2 labels for 4 samples"), few.err());
    }

    /**
     * Issue 24: fd --labels scores class agreement and FD class by class. Real training digits with their own labels
     * agree with LeNet; the same digits with labels shifted by one class do not. A conditional teacher's samples
     * come with the classes they were drawn for.
     */
    @Test
    void fdWithLabelsScoresEachClass() throws Exception {
        org.get4j.data.ImageSet train = org.get4j.data.Datasets.load(org.get4j.data.Dataset.MNIST,
                org.get4j.data.Dataset.Split.TRAIN).padTo(32);
        int n = 2000;
        Path npy = dir.resolve("real.npy");
        org.get4j.io.Npy.write(npy, new org.get4j.io.HostTensor(org.get4j.io.TensorDType.UINT8,
                new long[] {n, 1, 32, 32}, train.pixels(40_000, 40_000 + n)));
        StringBuilder right = new StringBuilder();
        StringBuilder shifted = new StringBuilder("# each digit labelled as the next class\n");
        for (int i = 0; i < n; i++) {
            right.append(train.label(40_000 + i)).append('\n');
            shifted.append((train.label(40_000 + i) + 1) % 10).append('\n');
        }
        Path labels = Files.writeString(dir.resolve("right.txt"), right);
        Path csv = dir.resolve("classes.csv");
        CliRun r = CliRun.of("fd", npy.toString(), "mnist:test", "--labels", labels.toString(), "--classes-csv",
                csv.toString());
        assertEquals(0, r.code(), r.err());
        var rows = org.get4j.metrics.PerClassQuality.read(csv);
        assertEquals(10, rows.size());
        assertEquals(n, rows.stream().mapToLong(row -> row.fd().samples()).sum());
        assertTrue(r.out().contains(rows.get(3).fd().toString()), "the CSV holds the rows printed: " + r.out());
        java.util.regex.Matcher agree = java.util.regex.Pattern.compile("class agreement \\(LeNet-MNIST's verdict is "
                + "the label in .*right.txt\\): ([0-9.]+)%").matcher(r.out());
        assertTrue(agree.find() && Double.parseDouble(agree.group(1)) > 97, r.out());
        for (int c = 0; c < 10; c++) {
            assertTrue(java.util.regex.Pattern.compile("(?m)^" + c + " +[0-9]+ +[0-9.]+ \\[").matcher(r.out()).find(),
                    "a row with an FD interval for class " + c + ": " + r.out());
        }
        CliRun wrong = CliRun.of("fd", npy.toString(), "mnist:test", "--labels",
                Files.writeString(dir.resolve("shifted.txt"), shifted).toString());
        assertEquals(0, wrong.code(), wrong.err());
        java.util.regex.Matcher low = java.util.regex.Pattern.compile("class agreement .*: ([0-9.]+)%").matcher(wrong.out());
        assertTrue(low.find() && Double.parseDouble(low.group(1)) < 3, wrong.out());
        CliRun few = CliRun.of("fd", npy.toString(), "mnist:test", "--labels",
                Files.writeString(dir.resolve("few.txt"), "1\n2\n").toString());
        assertTrue(few.code() != 0 && few.err().contains("few.txt holds 2 labels for 2000"), few.err());
        assertEquals(2, CliRun.of("fd", npy.toString(), "--save-stats", dir.resolve("s.npz").toString(), "--labels",
                labels.toString()).code(), "--labels needs a dataset split to compare with");

        // a conditional teacher's samples come with their classes, balanced: seeds 0-19 hold every class twice
        Path teacher = dir.resolve("conditional-teacher.safetensors");
        try (NDManager m = TorchRuntime.newManager()) {
            new org.get4j.diffusion.EdmTeacher(new org.get4j.diffusion.EdmTeacher.Config(1, 32, 16, 10), m)
                    .save(teacher, Map.of());
        }
        Path samples = dir.resolve("teacher-samples.npy");
        CliRun t = CliRun.of("teacher", "sample", "--teacher", teacher.toString(), "--n", "20", "--steps", "1", "--out",
                dir.resolve("grid.png").toString(), "--npy", samples.toString());
        assertEquals(0, t.code(), t.err());
        long[] drawn = org.get4j.io.ClassLabels.readList(dir.resolve("teacher-samples.labels.txt"), 20, 10);
        assertArrayEquals(org.get4j.pairs.SeededNoise.labels(0, 20, 10), drawn);
        assertArrayEquals(new long[] {2, 2, 2, 2, 2, 2, 2, 2, 2, 2},
                java.util.stream.IntStream.range(0, 10).mapToLong(c -> java.util.Arrays.stream(drawn)
                        .filter(y -> y == c).count()).toArray());
    }

    /**
     * Classifier-free guidance from the command line: w = 0 draws the unconditional teacher's images and w = 1 the
     * conditional teacher's (same seeds, same noise), pairs name the guided teacher, and --spark refuses it.
     */
    @Test
    void guidedSamplingAndPairsFromTheCommandLine() throws Exception {
        Path conditional = dir.resolve("classes.safetensors");
        Path unconditional = dir.resolve("unconditional.safetensors");
        try (NDManager m = TorchRuntime.newManager()) {
            // random weights everywhere (a fresh U-Net's last convolution is zero, and its class table too)
            for (int classes : new int[] {10, 0}) {
                var t = new org.get4j.diffusion.EdmTeacher(new org.get4j.diffusion.EdmTeacher.Config(1, 32, 16, classes), m);
                t.parameterArrays().forEach(p -> org.get4j.runtime.Torch.assign(p,
                        p.getManager().randomNormal(0, 0.05f, p.getShape(), p.getDataType()).toFloatArray()));
                t.save(classes > 0 ? conditional : unconditional, Map.of());
            }
        }
        java.util.function.BiFunction<String, String[], float[]> sample = (name, extra) -> {
            Path npy = dir.resolve(name + ".npy");
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("teacher", "sample", "--n", "10",
                    "--steps", "2", "--out", dir.resolve(name + ".png").toString(), "--npy", npy.toString()));
            args.addAll(java.util.List.of(extra));
            CliRun r = CliRun.of(args.toArray(String[]::new));
            assertEquals(0, r.code(), r.err());
            return org.get4j.io.Npy.read(npy).toFloatArray();
        };
        float[] uncond = sample.apply("u", new String[] {"--teacher", unconditional.toString()});
        float[] cond = sample.apply("c", new String[] {"--teacher", conditional.toString()});
        float[] w0 = sample.apply("w0", new String[] {"--teacher", conditional.toString(), "--guidance", "0",
            "--unconditional", unconditional.toString()});
        float[] w1 = sample.apply("w1", new String[] {"--teacher", conditional.toString(), "--guidance", "1",
            "--unconditional", unconditional.toString()});
        assertArrayEquals(uncond, w0, "w = 0 is the unconditional teacher");
        double worst = 0;
        for (int i = 0; i < cond.length; i++) {
            worst = Math.max(worst, Math.abs(cond[i] - w1[i]));
        }
        assertTrue(worst <= 1e-4, "w = 1 is the conditional teacher, up to float rounding: " + worst);
        assertFalse(java.util.Arrays.equals(uncond, cond), "the two teachers draw different images");
        assertArrayEquals(org.get4j.io.ClassLabels.readList(dir.resolve("c.labels.txt"), 10, 10),
                org.get4j.io.ClassLabels.readList(dir.resolve("w1.labels.txt"), 10, 10), "the same labels per seed");

        Path pairs = dir.resolve("guided-pairs");
        CliRun gen = CliRun.of("pairs", "generate", "--teacher", conditional.toString(), "--guidance", "1.5",
                "--unconditional", unconditional.toString(), "--conditional", "--seeds", "0-9", "--steps", "2",
                "--out", pairs.toString());
        assertEquals(0, gen.code(), gen.err());
        String identity = PairManifest.read(pairs).teacher();
        try (NDManager m = TorchRuntime.newManager()) {
            assertEquals(new org.get4j.diffusion.GuidedTeacher(org.get4j.diffusion.Teachers.load(m, conditional),
                    org.get4j.diffusion.Teachers.load(m, unconditional), 1.5).identity(), identity);
        }

        CliRun spark = CliRun.of("pairs", "generate", "--teacher", conditional.toString(), "--guidance", "1.5",
                "--unconditional", unconditional.toString(), "--conditional", "--seeds", "0-9", "--spark", "--out",
                dir.resolve("p2").toString());
        assertEquals(2, spark.code());
        assertTrue(spark.err().contains("--guidance runs on this machine only, not with --spark"), spark.err());
        CliRun alone = CliRun.of("teacher", "sample", "--teacher", conditional.toString(), "--guidance", "1.5",
                "--n", "2", "--out", dir.resolve("x.png").toString());
        assertEquals(2, alone.code());
        assertTrue(alone.err().contains("--guidance and --unconditional go together"), alone.err());
    }
}
