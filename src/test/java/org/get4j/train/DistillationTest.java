package org.get4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.get4j.deq.SolverConfig;
import org.get4j.diffusion.GaussianMixtureTeacher;
import org.get4j.diffusion.SamplerConfig;
import org.get4j.io.HostTensor;
import org.get4j.io.SafeTensors;
import org.get4j.model.ModelConfig;
import org.get4j.pairs.PairGenerator;
import org.get4j.pairs.PairStore;
import org.get4j.pairs.SeedRange;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

class DistillationTest {
    @TempDir
    static Path dir;
    private static Path pairs;

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
        return new TrainConfig(steps, 8, 3e-3, 2, 0, 0.99, true, 3, 0.8, DistillationStep.Distance.L1, gradient,
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

    @Test
    void theBuilderNamesWhatThePositionalConstructorTakesInOrder() {
        TrainConfig c = config(6, TrainConfig.Gradient.IMPLICIT, 0.25);
        assertEquals(c, c.toBuilder().build(), "a round trip keeps every field");
        TrainConfig named = TrainConfig.reference(40, 16).toBuilder().lr(5e-4).warmup(50).emaDecay(0.999)
                .emaWarmup(true).distance(DistillationStep.Distance.L2).checkpointEvery(13).logEvery(2).seed(3)
                .unroll(4).gamma(0.5).jacobianWeight(0.1).weightDecay(0.01).batch(8).steps(41)
                .gradient(TrainConfig.Gradient.IMPLICIT).build();
        TrainConfig r = TrainConfig.reference(40, 16);
        assertEquals(new TrainConfig(41, 8, 5e-4, 50, 0.01, 0.999, true, 4, 0.5, DistillationStep.Distance.L2,
                TrainConfig.Gradient.IMPLICIT, r.forwardSolver(), r.backwardSolver(), 0.1, 13, 2, 3), named);
    }

    @Test
    void aResumedRunEqualsAnUninterruptedOneBitForBit() throws Exception {
        train(GET, config(6, TrainConfig.Gradient.PHANTOM, 0), dir.resolve("a"), false);
        train(GET, config(3, TrainConfig.Gradient.PHANTOM, 0), dir.resolve("b"), false);
        Distillation.Cost half = Distillation.Cost.read(dir.resolve("b"));
        Distillation resumed = new Distillation(GET, config(6, TrainConfig.Gradient.PHANTOM, 0),
                PairStore.open(pairs, null), dir.resolve("b"));
        assertEquals(3, resumed.startStep(true), "a resumed run (and its progress bar) starts at the checkpoint");
        assertEquals(0, resumed.startStep(false));
        train(GET, config(6, TrainConfig.Gradient.PHANTOM, 0), dir.resolve("b"), true);
        Distillation.Cost whole = Distillation.Cost.read(dir.resolve("b"));
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
}
