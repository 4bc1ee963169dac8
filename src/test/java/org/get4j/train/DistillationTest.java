package org.get4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.get4j.Get4jException;
import org.get4j.deq.SolverConfig;
import org.get4j.diffusion.GaussianMixtureTeacher;
import org.get4j.diffusion.SamplerConfig;
import org.get4j.io.HostTensor;
import org.get4j.io.SafeTensors;
import org.get4j.model.ModelConfig;
import org.get4j.optim.TrainingRun;
import org.get4j.pairs.PairGenerator;
import org.get4j.pairs.PairStore;
import org.get4j.pairs.SeedRange;
import org.get4j.runtime.TorchRuntime;
import org.get4j.runtime.AttentionKernel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

class DistillationTest {
    @TempDir
    static Path dir;
    private static Path pairs;

    private AttentionKernel kernelBefore;

    /**
     * These runs use the default attention kernel whatever GET4J_ATTENTION says: the Jacobian penalty needs its second
     * derivative, and the resume note is checked against it.
     */
    @BeforeEach
    void javaAttention() {
        kernelBefore = AttentionKernel.use(AttentionKernel.JAVA);
    }

    @AfterEach
    void restoreAttention() {
        AttentionKernel.use(kernelBefore);
    }

    /** 40 pairs of 1x16x16 images from a small analytic teacher. */
    @BeforeAll
    static void makePairs() {
        pairs = dir.resolve("pairs");
        try (NDManager m = TorchRuntime.newManager(); GaussianMixtureTeacher t = GaussianMixtureTeacher.toy(m)) {
            new PairGenerator(t, SamplerConfig.reference().withSteps(4), SeedRange.parse("0-39"), 16, 16, false)
                    .generate(m, pairs, p -> { });
        }
    }

    private static final ModelConfig GET = ModelConfig.get(16, 1, 4, 32, 4, 1, 3, 2, 0);

    private static TrainConfig config(int steps, TrainConfig.Gradient gradient, double jacobian) {
        return new TrainConfig(steps, 8, 3e-3, 2, 0, 0.99, true, 3, 0, 0, 0.8, DistillationStep.Distance.L1, gradient,
                SolverConfig.builder().maxIter(8).tol(1e-3).build(), SolverConfig.builder().maxIter(8).tol(1e-4).build(),
                jacobian, 3, 1, 11);
    }

    private static List<Distillation.Log> train(ModelConfig model, TrainConfig c, Path out, boolean resume) {
        List<Distillation.Log> logs = new ArrayList<>();
        try (NDManager m = TorchRuntime.newManager()) {
            new Distillation(model, c, PairStore.open(pairs, null), out).run(m, resume, logs::add);
        }
        return logs;
    }

    @Test
    void withDistanceChangesTheDistanceOnly() {
        TrainConfig c = config(6, TrainConfig.Gradient.IMPLICIT, 0.25);
        TrainConfig l2 = c.withDistance(DistillationStep.Distance.L2);
        assertEquals(DistillationStep.Distance.L2, l2.distance());
        assertEquals(c, l2.withDistance(DistillationStep.Distance.L1), "every other field survives the round trip");
    }

    /** "Supervise all 4" is recorded as 0 (all), so a resume without the flag is the same recipe. */
    @Test
    void supervisingEveryUnrolledStateIsTheDefaultAndTheImplicitGradientHasNoFreeIterations() {
        TrainConfig r = TrainConfig.reference(10, 8);
        assertEquals(r, r.toBuilder().supervised(r.unroll()).build());
        assertEquals(r.toMap(), r.toBuilder().supervised(r.unroll()).build().toMap());
        assertEquals(2, r.toBuilder().supervised(2).build().supervision().supervised());
        org.get4j.InvalidValueException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.get4j.InvalidValueException.class, () -> r.toBuilder().gradient(TrainConfig.Gradient.IMPLICIT)
                        .freeIterations(3).build());
        assertTrue(e.getMessage().contains("free_iterations") && e.getMessage().contains("implicit"), e.getMessage());
    }

    @Test
    void theBuilderNamesWhatThePositionalConstructorTakesInOrder() {
        TrainConfig c = config(6, TrainConfig.Gradient.IMPLICIT, 0.25);
        assertEquals(c, c.toBuilder().build(), "a round trip keeps every field");
        TrainConfig named = TrainConfig.reference(40, 16).toBuilder().lr(5e-4).warmup(50).emaDecay(0.999)
                .emaWarmup(true).distance(DistillationStep.Distance.L2).checkpointEvery(13).logEvery(2).seed(3)
                .unroll(4).freeIterations(2).supervised(3).gamma(0.5).jacobianWeight(0.1).weightDecay(0.01).batch(8).steps(41)
                .gradient(TrainConfig.Gradient.PHANTOM).build();
        TrainConfig r = TrainConfig.reference(40, 16);
        assertEquals(new TrainConfig(41, 8, 5e-4, 50, 0.01, 0.999, true, 4, 2, 3, 0.5, DistillationStep.Distance.L2,
                TrainConfig.Gradient.PHANTOM, r.forwardSolver(), r.backwardSolver(), 0.1, 13, 2, 3), named);
    }

    @Test
    void aResumedRunEqualsAnUninterruptedOneBitForBit() throws Exception {
        train(GET, config(6, TrainConfig.Gradient.PHANTOM, 0), dir.resolve("a"), false);
        train(GET, config(3, TrainConfig.Gradient.PHANTOM, 0), dir.resolve("b"), false);
        TrainingRun.Cost half = TrainingRun.Cost.read(dir.resolve("b"));
        Distillation resumed = new Distillation(GET, config(6, TrainConfig.Gradient.PHANTOM, 0),
                PairStore.open(pairs, null), dir.resolve("b"));
        assertEquals(3, resumed.startStep(true), "a resumed run (and its progress bar) starts at the checkpoint");
        assertEquals(0, resumed.startStep(false));
        train(GET, config(6, TrainConfig.Gradient.PHANTOM, 0), dir.resolve("b"), true);
        TrainingRun.Cost whole = TrainingRun.Cost.read(dir.resolve("b"));
        // training time accumulates over the two sessions; memory is the larger peak
        assertEquals(3, half.steps());
        assertEquals(6, whole.steps());
        assertTrue(whole.trainSeconds() > half.trainSeconds() && whole.peakRssMiB() >= half.peakRssMiB()
                && half.peakRssMiB() > 0, half + " then " + whole);
        Map<String, HostTensor> a = SafeTensors.read(dir.resolve("a/checkpoint.safetensors")).tensors();
        Map<String, HostTensor> b = SafeTensors.read(dir.resolve("b/checkpoint.safetensors")).tensors();
        assertEquals(a.keySet(), b.keySet());
        for (var e : a.entrySet()) {
            assertArrayEquals(e.getValue().data(), b.get(e.getKey()).data(), e.getKey());
        }
        Table metrics = Table.read().csv(dir.resolve("b/metrics.csv").toFile());
        assertEquals(6, metrics.rowCount());
        assertTrue(metrics.columnNames().containsAll(List.of("step", "loss_state_1", "loss_state_3", "loss", "lr",
                "grad_norm", "images_per_second")));
    }

    @Test
    void trainingLowersTheLossForEveryObjectiveAndTheVit() {
        ModelConfig vit = ModelConfig.vit(16, 1, 4, 32, 4, 2, 0);
        for (Object[] run : new Object[][] {{GET, TrainConfig.Gradient.PHANTOM, 0.0}, {GET, TrainConfig.Gradient.IMPLICIT, 0.0},
            {GET, TrainConfig.Gradient.PHANTOM, 0.1}, {vit, TrainConfig.Gradient.PHANTOM, 0.0}}) {
            ModelConfig model = (ModelConfig) run[0];
            List<Distillation.Log> logs = train(model, config(30, (TrainConfig.Gradient) run[1], (double) run[2]),
                    dir.resolve("run-" + logsName(run)), false);
            double first = logs.get(0).loss();
            double last = logs.get(logs.size() - 1).loss();
            assertTrue(last < 0.8 * first, logsName(run) + ": loss " + first + " -> " + last);
        }
    }

    private static String logsName(Object[] run) {
        return ((ModelConfig) run[0]).arch() + "-" + run[1] + "-" + run[2];
    }

    private static String refusal(Runnable r) {
        return assertThrows(Get4jException.class, r::run).getMessage();
    }

    /** Issue 18, items 1 and 8: nothing is overwritten or changed without being asked, and what happens is said. */
    @Test
    void aFolderWithARunIsRefusedUnlessResumedOrReplacedAndAResumeKeepsItsSettings() throws Exception {
        Path run = dir.resolve("guarded");
        TrainConfig four = config(4, TrainConfig.Gradient.PHANTOM, 0).toBuilder().checkpointEvery(2).build();
        train(GET, four, run, false);
        byte[] before = Files.readAllBytes(run.resolve("checkpoint.safetensors"));
        Map<String, HostTensor> weights = SafeTensors.read(run.resolve("checkpoint.safetensors")).tensors();

        String fresh = refusal(() -> train(GET, four, run, false));
        assertTrue(fresh.contains(run.toString()) && fresh.contains("checkpoint at step 4")
                && fresh.contains("--resume") && fresh.contains("--overwrite"), fresh);
        assertTrue(train(GET, four.toBuilder().steps(3).build(), run, true).isEmpty(),
                "a checkpoint past the steps asked for trains nothing (the command line refuses it)");
        String changed = refusal(() -> train(GET, four.toBuilder().steps(6).batch(4).lr(1e-3).build(), run, true));
        assertTrue(changed.contains("batch: was 8, now 4") && changed.contains("lr: was 0.003, now 0.001")
                && changed.contains("--allow-changes"), changed);
        assertArrayEquals(before, Files.readAllBytes(run.resolve("checkpoint.safetensors")),
                "a refused run leaves the checkpoint as it was");

        // asked for: the change is accepted, and a replaced run starts again at step 0
        try (NDManager m = TorchRuntime.newManager()) {
            new Distillation(GET, four.toBuilder().steps(6).batch(4).build(), PairStore.open(pairs, null), run)
                    .run(m, TrainingRun.Start.RESUME_WITH_CHANGES, log -> { });
        }
        assertEquals(6, TrainingRun.Cost.read(run).steps());
        List<Distillation.Log> replaced = new ArrayList<>();
        try (NDManager m = TorchRuntime.newManager()) {
            new Distillation(GET, four, PairStore.open(pairs, null), run)
                    .run(m, TrainingRun.Start.OVERWRITE, replaced::add);
        }
        assertEquals(1, replaced.get(0).step());
        Map<String, HostTensor> again = SafeTensors.read(run.resolve("checkpoint.safetensors")).tensors();
        for (var e : weights.entrySet()) {
            assertArrayEquals(e.getValue().data(), again.get(e.getKey()).data(), "the replacement repeats the run: "
                    + e.getKey());
        }
    }

    /** Issue 18, item 5: the step a resume starts from is covered by the checkpoint's checksum. */
    @Test
    void anEditedStepInTheCheckpointIsDetected() throws Exception {
        Path run = dir.resolve("edited");
        train(GET, config(3, TrainConfig.Gradient.PHANTOM, 0), run, false);
        Path ckpt = run.resolve("checkpoint.safetensors");
        byte[] bytes = Files.readAllBytes(ckpt);
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = text.indexOf("\"step\":\"3\"");
        assertTrue(at > 0, "the checkpoint records its step");
        bytes[at + "\"step\":\"".length()] = '2';
        Files.write(ckpt, bytes);
        String refused = refusal(() -> train(GET, config(6, TrainConfig.Gradient.PHANTOM, 0), run, true));
        assertTrue(refused.contains(ckpt.toString()) && refused.contains("metadata checksum mismatch"), refused);
    }

    /** An export (get4j export) in place of a checkpoint is refused by name, not as a list of missing keys. */
    @Test
    void exportedWeightsAreNotResumed() throws Exception {
        Path run = dir.resolve("exported");
        train(GET, config(3, TrainConfig.Gradient.PHANTOM, 0), run, false);
        Path ckpt = run.resolve("checkpoint.safetensors");
        org.get4j.model.Checkpoints.exportWeights(ckpt, ckpt, org.get4j.model.Checkpoints.Weights.EMA);
        String refused = refusal(() -> train(GET, config(6, TrainConfig.Gradient.PHANTOM, 0), run, true));
        assertTrue(refused.contains(ckpt.toString()) && refused.contains("get4j export"), refused);
    }

    /** Resume is bit-exact at the checkpoint's thread count; another count is said, with the count to use. */
    @Test
    void aResumeWithAnotherThreadCountSaysSo() {
        Path run = dir.resolve("threads");
        train(GET, config(2, TrainConfig.Gradient.PHANTOM, 0), run, false);
        Distillation d = new Distillation(GET, config(4, TrainConfig.Gradient.PHANTOM, 0), PairStore.open(pairs, null),
                run);
        assertTrue(d.threadsNote(TrainingRun.Start.RESUME).isEmpty(), "same thread count: nothing to say");
        int before = TorchRuntime.threads();
        try {
            TorchRuntime.setThreads(before == 1 ? 2 : 1);
            String note = d.threadsNote(TrainingRun.Start.RESUME).orElseThrow();
            assertTrue(note.contains("written with " + before + " thread(s)") && note.contains("GET4J_THREADS="
                    + before), note);
            assertTrue(d.threadsNote(TrainingRun.Start.FRESH).isEmpty());
        } finally {
            TorchRuntime.setThreads(before);
        }
        // the attention kernel too: the checkpoint records the one it was trained with
        AttentionKernel kernel = AttentionKernel.use(AttentionKernel.SDPA);
        try {
            String note = d.threadsNote(TrainingRun.Start.RESUME).orElseThrow();
            assertTrue(note.contains("trained with the java attention kernel, this resume uses sdpa")
                    && note.contains("GET4J_ATTENTION=java"), note);
        } finally {
            AttentionKernel.use(kernel);
        }
    }
}
