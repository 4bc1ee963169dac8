package org.get4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.get4j.model.Generator;
import org.get4j.model.ModelConfig;
import org.get4j.nn.GetBlock;
import org.get4j.nn.Layers;
import org.get4j.optim.AdamW;
import org.get4j.optim.Ema;
import org.get4j.pairs.Pairs;
import org.get4j.pairs.SeededNoise;
import org.get4j.train.DistillationStep;

/**
 * Where a training step's time goes. The whole step (the reference objective: forward, backward, gradient norm,
 * AdamW) and the EMA update and data loading of the training loop are timed as they run; the transformer's parts are
 * timed in isolation at the model's shapes, forward plus backward, and multiplied by how often a step applies them:
 *
 * <pre>
 *   GET:  L_inj injection blocks once + L_mem equilibrium blocks x n unrolled states (the reference: n = 6)
 *   ViT:  depth blocks once
 * </pre>
 *
 * Each block contributes two LayerNorms, one attention branch (QKV projection, scores, softmax, weighted sum,
 * output projection) and one MLP branch; GET adds its injection projection Linear(D, 3D L_mem), once. The remainder,
 * step minus the parts, is the rest of the network (patch embedding, decoder), the losses, the solver's and autograd's
 * bookkeeping and the gradient norm.
 *
 * <p>The parts timed in isolation carry all the step's FLOPs but the patch embedding's and the decoder's (under 2%
 * at these shapes), so their FLOPs over their time estimates a ceiling on the step's MFU: what it would reach if
 * nothing else took time ({@link Result#partsGflops}). An estimate, because the parts are timed alone: in the step
 * they may run faster or slower (the rest can come out near zero).
 */
public final class StepBreakdown {
    /** One phase: milliseconds per training step. */
    public record Phase(String name, double millis) {}

    /**
     * The phases, the measured step (including EMA and data loading) they add up to, and the analytic FLOPs of the
     * parts timed in isolation (blocks and injection projection, forward and backward).
     */
    public record Result(String model, int batch, List<Phase> phases, double stepMillis, double partsGflop) {
        public double share(Phase p) {
            return p.millis() / stepMillis;
        }

        /** Milliseconds of the parts timed in isolation: the blocks' phases and the injection projection. */
        public double partsMillis() {
            return phases.stream().filter(p -> PARTS.contains(p.name())).mapToDouble(Phase::millis).sum();
        }

        /** The parts' FLOP rate: the step's GFLOP/s if everything else took no time. */
        public double partsGflops() {
            return partsGflop / partsMillis() * 1e3;
        }
    }

    static final String INJECTION = "injection projection";
    private static final List<String> PARTS = List.of("attention", "MLP", "LayerNorm", INJECTION);

    private StepBreakdown() {}

    public static Result measure(NDManager manager, String name, ModelConfig config, int unroll, int batch,
            int warmup, int repeats) {
        try (NDManager m = manager.newSubManager()) {
            int px = config.channels() * config.imageSize() * config.imageSize();
            // data loading as the training loop does it: the pair store gathers a batch from its shards in host
            // memory (a copy), then the batch becomes engine arrays
            float[] noisePool = SeededNoise.noise(0, batch, px);
            float[] imagePool = SeededNoise.noise(batch, batch, px);
            long[] seeds = java.util.stream.LongStream.range(0, batch).toArray();
            double data = Timing.medianMillis(warmup, repeats, k -> {
                Pairs p = new Pairs(noisePool.clone(), imagePool.clone(), seeds.clone(), null, config.channels(),
                        config.imageSize());
                try (NDManager b = m.newSubManager()) {
                    p.noiseArray(b);
                    p.imageArray(b);
                }
            });
            TrainingRig rig = new TrainingRig(m, config, batch, unroll, false);
            ParameterStore ps = rig.ps;
            double whole = Timing.medianMillis(warmup, repeats, k -> rig.trainOnBatch());
            double adamw = Timing.medianMillis(warmup, repeats, k -> {
                rig.optimizer.step(0);
            });
            double average = Timing.medianMillis(warmup, repeats, k -> {
                rig.ema.update(k);
            });

            Map<String, Double> parts = new LinkedHashMap<>();
            boolean get = config.arch() == ModelConfig.Arch.GET;
            Shape tokens = new Shape(batch, config.tokens(), config.width());
            Shape qkv = new Shape(batch, get ? config.tokens() : 1, 3L * config.width());
            addBlockParts(parts, m, ps, config, config.mlpRatio(), tokens, config.numClasses() > 0 ? qkv : null,
                    config.depth(), warmup, repeats);
            if (get) {
                addBlockParts(parts, m, ps, config, config.deqMlpRatio(), tokens, qkv, config.memDepth() * unroll,
                        warmup, repeats);
                Linear injection = Layers.linear(3 * config.width() * config.memDepth(), false);
                injection.initialize(m, DataType.FLOAT32, tokens);
                NDArray x = m.randomNormal(tokens);
                x.setRequiresGradient(true);
                parts.put(INJECTION, backwardMillis(m, warmup, repeats,
                        () -> injection.forward(ps, new NDList(x), true).singletonOrThrow()));
            }
            // 2 FLOPs a MAC, forward and twice that backward
            double partsGflop = 6.0 * batch * config.bodyMacs(unroll) / 1e9;
            List<Phase> phases = new ArrayList<>();
            double measured = 0;
            for (Map.Entry<String, Double> e : parts.entrySet()) {
                phases.add(new Phase(e.getKey(), e.getValue()));
                measured += e.getValue();
            }
            phases.add(new Phase("optimizer (AdamW)", adamw));
            phases.add(new Phase("EMA update", average));
            phases.add(new Phase("data loading", data));
            phases.add(new Phase("rest: embedding, decoder, losses, solver and autograd bookkeeping",
                    whole - measured - adamw));
            return new Result(name, batch, phases, whole + average + data, partsGflop);
        }
    }

    /** LayerNorm, attention and MLP of one block shape, forward + backward, times {@code applications}. */
    private static void addBlockParts(Map<String, Double> parts, NDManager m, ParameterStore ps, ModelConfig config,
            double mlpRatio, Shape tokens, Shape bias, int applications, int warmup, int repeats) {
        if (applications == 0) {
            return;
        }
        GetBlock block = new GetBlock(config.width(), config.heads(), mlpRatio);
        block.initialize(m, DataType.FLOAT32, bias == null ? new Shape[] {tokens} : new Shape[] {tokens, bias});
        NDArray x = m.randomNormal(tokens);
        x.setRequiresGradient(true);
        NDArray b = bias == null ? null : m.randomNormal(bias);
        if (b != null) {
            b.setRequiresGradient(true);
        }
        double norm = backwardMillis(m, warmup, repeats, () -> block.norm1(ps, x, true));
        double attention = backwardMillis(m, warmup, repeats, () -> block.attention(ps, x, b, true));
        double mlp = backwardMillis(m, warmup, repeats, () -> block.mlp(ps, x, true));
        parts.merge("attention", attention * applications, Double::sum);
        parts.merge("MLP", mlp * applications, Double::sum);
        parts.merge("LayerNorm", 2 * norm * applications, Double::sum);
    }

    /** Median milliseconds of forward + backward of {@code f} (its sum as the loss). */
    private static double backwardMillis(NDManager m, int warmup, int repeats, java.util.function.Supplier<NDArray> f) {
        return Timing.medianMillis(warmup, repeats, k -> {
            try (GradientCollector gc = m.getEngine().newGradientCollector()) {
                NDArray y = f.get();
                gc.backward(y.sum());
            }
        });
    }

    /** The tables, each with its ceiling against {@code peakGflops}, the measured GEMM peak. */
    public static String markdown(List<Result> results, double peakGflops) {
        StringBuilder sb = new StringBuilder();
        for (Result r : results) {
            sb.append(String.format("%n%s, batch %d: %.0f ms per training step (median)%n%n", r.model(), r.batch(),
                    r.stepMillis()));
            sb.append("| phase | ms per step | share |\n|---|---|---|\n");
            for (Phase p : r.phases()) {
                sb.append(String.format("| %s | %.1f | %.0f%% |%n", p.name(), p.millis(), 100 * r.share(p)));
            }
            sb.append(String.format("%nCeiling (estimate): the parts timed alone do %.1f GFLOP in %.0f ms, %.1f "
                    + "GFLOP/s, %.0f%% of the %.1f GFLOP/s GEMM peak: about this step's MFU if everything else took no "
                    + "time.%n",
                    r.partsGflop(), r.partsMillis(), r.partsGflops(), 100 * r.partsGflops() / peakGflops, peakGflops));
        }
        return sb.toString();
    }

    public static String csv(List<Result> results) {
        StringBuilder sb = new StringBuilder("model,batch,phase,ms_per_step,share\n");
        for (Result r : results) {
            for (Phase p : r.phases()) {
                sb.append(String.format("%s,%d,\"%s\",%.3f,%.4f%n", r.model(), r.batch(), p.name(), p.millis(),
                        r.share(p)));
            }
        }
        return sb.toString();
    }
}
