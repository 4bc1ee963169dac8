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
                StepBreakdown.Result r = StepBreakdown.measure(m, "tiny", c, 4, 1, 3);
                List<String> names = r.phases().stream().map(StepBreakdown.Phase::name).toList();
                assertEquals(List.of("attention", "MLP", "LayerNorm", "optimizer (AdamW)", "EMA update", "data loading"),
                        names.subList(0, 6));
                assertTrue(names.get(6).startsWith("rest"));
                double sum = r.phases().stream().mapToDouble(StepBreakdown.Phase::millis).sum();
                assertEquals(r.stepMillis(), sum, 1e-9 * r.stepMillis());
                r.phases().subList(0, 6).forEach(p -> assertTrue(p.millis() > 0, p.toString()));
                assertTrue(StepBreakdown.markdown(List.of(r)).contains("| attention |"));
                assertEquals(1 + 7, StepBreakdown.csv(List.of(r)).lines().count());
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
