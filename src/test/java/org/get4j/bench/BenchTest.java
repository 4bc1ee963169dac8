package org.get4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.get4j.model.ModelConfig;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;

/** The benchmark's bookkeeping (not its speed): the phases add up, the readings are taken, the peak is positive. */
class BenchTest {
    private static final ModelConfig TINY_GET = ModelConfig.get(8, 1, 2, 32, 4, 1, 2, 2, 0);
    private static final ModelConfig TINY_VIT = ModelConfig.vit(8, 1, 2, 32, 4, 2, 10);

    @Test
    void breakdownPhasesAddUpToTheMeasuredStep() {
        try (NDManager m = TorchRuntime.newManager()) {
            for (ModelConfig c : List.of(TINY_GET, TINY_VIT)) {
                StepBreakdown.Result r = StepBreakdown.measure(m, "tiny", c, 2, 4, 1, 3);
                boolean get = c.arch() == ModelConfig.Arch.GET;
                List<String> timed = get ? List.of("attention", "MLP", "LayerNorm", "injection projection",
                        "optimizer (AdamW)", "EMA update", "data loading")
                        : List.of("attention", "MLP", "LayerNorm", "optimizer (AdamW)", "EMA update", "data loading");
                List<String> names = r.phases().stream().map(StepBreakdown.Phase::name).toList();
                assertEquals(timed, names.subList(0, timed.size()));
                assertTrue(names.get(timed.size()).startsWith("rest"));
                double sum = r.phases().stream().mapToDouble(StepBreakdown.Phase::millis).sum();
                assertEquals(r.stepMillis(), sum, 1e-9 * r.stepMillis());
                r.phases().subList(0, timed.size()).forEach(p -> assertTrue(p.millis() > 0, p.toString()));
                // the parts' FLOPs, 6 x batch 4 x MACs per image (2 FLOPs a MAC, forward and twice that backward), 16
                // tokens of width 32; a block of MLP ratio r: 16 * 32^2 * (4 + 2r) + 2 * 16^2 * 32. GET: 1 injection
                // block (r = 4, 212,992), the injection projection 16 * 32 * 96 * 2 (98,304) and 2 unrolled states of
                // 2 equilibrium blocks (r = 2, 147,456 each): 901,120. ViT: 2 blocks (r = 4): 425,984.
                assertEquals(6.0 * 4 * (get ? 901_120 : 425_984) / 1e9, r.partsGflop(), 1e-15);
                assertTrue(StepBreakdown.markdown(List.of(r), 100).contains("| attention |"));
                assertEquals(1 + timed.size() + 1, StepBreakdown.csv(List.of(r)).lines().count());
            }
        }
    }

    /**
     * The per-operation profile counts every product of a block once: its GEMM FLOPs add up to the block's analytic
     * MACs (GetBlock.macs) x 2 (multiply and add) x 3 (forward and backward) x batch, for GET's block (with the
     * injection) and ViT's (without); the contiguous-heads variant is shown but not counted.
     */
    @Test
    void blockOperationsAccountForTheBlocksAnalyticFlops() {
        try (NDManager m = TorchRuntime.newManager()) {
            for (ModelConfig c : List.of(TINY_GET, TINY_VIT)) {
                boolean get = c.arch() == ModelConfig.Arch.GET;
                BlockOps.Result r = BlockOps.measure(m, "tiny", c, 3, 100.0, 0, 1);
                long macs = org.get4j.nn.GetBlock.macs(c.tokens(), c.width(), get ? c.deqMlpRatio() : c.mlpRatio());
                double counted = r.ops().stream().filter(o -> !o.name().startsWith("(")).mapToDouble(BlockOps.Op::gflop)
                        .sum();
                assertEquals(6.0 * 3 * macs / 1e9, counted, 1e-12);
                assertEquals(get, r.ops().stream().anyMatch(o -> o.name().equals("+ injection")));
                r.ops().forEach(o -> assertTrue(o.millis() > 0, o.toString()));
                String md = BlockOps.markdown(List.of(r));
                assertTrue(md.contains("| QKV projection |") && md.contains("| (scores q k^T (contiguous heads)) |")
                        && md.contains("| (attention core: sdpa kernel) |")
                        && md.contains("of the 100.0 GFLOP/s GEMM peak"), md);
            }
        }
    }

    /**
     * The ceilings, in closed form: products of 4 and 2 GFLOP taking 40 and 20 ms (100 GFLOP/s) beside attention's
     * 1 GFLOP in 20 ms and 40 ms of memory-bound work, against a 200 GFLOP/s peak. Without the memory-bound work:
     * 7 GFLOP in 80 ms, 87.5 GFLOP/s, 43.75%; attention at the large products' rate: 100 GFLOP/s, 50%.
     */
    @Test
    void theCeilingsFollowFromTheOperationTimes() {
        BlockOps.Result r = new BlockOps.Result("m", 1, List.of(new BlockOps.Op("QKV projection", 40, 4),
                new BlockOps.Op("MLP fc1", 20, 2), new BlockOps.Op("split heads + scores q k^T", 10, 0.5),
                new BlockOps.Op("weighted sum p v + merge heads", 10, 0.5), new BlockOps.Op("GELU", 40, 0),
                new BlockOps.Op("(attention core: sdpa kernel)", 1, 1)), 200);
        assertEquals(0.4375, r.ceilingWithoutMemoryBound(), 1e-12);
        assertEquals(0.5, r.ceilingAtLargeProductRate(), 1e-12);
        assertTrue(BlockOps.markdown(List.of(r)).contains("Ceilings: 44% with the memory-bound operations free; 50% "
                + "with attention's products"), BlockOps.markdown(List.of(r)));
    }

    /**
     * The MFU ceiling in closed form: parts of 30 + 10 + 5 + 5 ms (attention, MLP, LayerNorm, injection projection)
     * doing 5 GFLOP run at 100 GFLOP/s, 50% of a 200 GFLOP/s peak; the optimiser, EMA, data and rest do not count.
     */
    @Test
    void theCeilingIsThePartsFlopsOverThePartsTime() {
        StepBreakdown.Result r = new StepBreakdown.Result("m", 8, List.of(new StepBreakdown.Phase("attention", 30),
                new StepBreakdown.Phase("MLP", 10), new StepBreakdown.Phase("LayerNorm", 5),
                new StepBreakdown.Phase("injection projection", 5), new StepBreakdown.Phase("optimizer (AdamW)", 20),
                new StepBreakdown.Phase("EMA update", 7), new StepBreakdown.Phase("data loading", 3),
                new StepBreakdown.Phase("rest: embedding, decoder, losses, solver and autograd bookkeeping", 20)),
                100, 5.0);
        assertEquals(50, r.partsMillis(), 1e-12);
        assertEquals(100, r.partsGflops(), 1e-9);
        assertTrue(StepBreakdown.markdown(List.of(r), 200).contains("5.0 GFLOP in 50 ms, 100.0 GFLOP/s, 50% of the "
                + "200.0 GFLOP/s GEMM peak"), StepBreakdown.markdown(List.of(r), 200));
    }

    /** The bench trains the recipe it is given: GET supervises {@code unroll} states (a ViT its one output). */
    @Test
    void theRigTrainsTheGivenNumberOfUnrolledStates() {
        try (NDManager m = TorchRuntime.newManager()) {
            for (int unroll : new int[] {2, 6}) {
                TrainingRig get = new TrainingRig(m, TINY_GET, 2, unroll, false);
                assertEquals(unroll, get.step.step(get.ps, get.noise, get.labels, get.target, null, 1e-4)
                        .stateLosses().length);
                TrainingRig vit = new TrainingRig(m, TINY_VIT, 2, unroll, false);
                assertEquals(1, vit.step.step(vit.ps, vit.noise, vit.labels, vit.target, null, 1e-4)
                        .stateLosses().length);
            }
        }
    }

    @Test
    void soakReadsMemoryAtEachInterval() {
        try (NDManager m = TorchRuntime.newManager()) {
            Soak.Result r = Soak.run(m, "tiny", TINY_GET, 2, 12, 4, s -> { });
            assertEquals(List.of(4L, 8L, 12L), r.samples().stream().map(Soak.Sample::step).toList());
            r.samples().forEach(s -> assertTrue(s.rssMiB() > 0 && s.imagesPerSecond() > 0, s.toString()));
            assertEquals(r.samples().get(0), r.warm(), "3 readings: the first tenth is the first");
            assertEquals(r.samples().get(2).rssMiB() - r.samples().get(0).rssMiB(), r.growthMiB());
            Soak.Result twenty = new Soak.Result("x", 1, java.util.stream.LongStream.rangeClosed(1, 20)
                    .mapToObj(k -> new Soak.Sample(100 * k, k < 3 ? 500 : 700, 0, 1)).toList());
            assertEquals(300, twenty.warm().step());
            assertEquals(0, twenty.growthMiB(), "warm-up growth is not counted");
        }
    }

    @Test
    void gemmPeakIsTheBestSize() {
        try (NDManager m = TorchRuntime.newManager()) {
            MatmulPeak.Result r = MatmulPeak.measure(m, new int[] {64, 256}, 2);
            assertTrue(r.gflops()[0] > 0 && r.gflops()[1] > 0);
            assertEquals(Math.max(r.gflops()[0], r.gflops()[1]), r.peak());
        }
    }
}
