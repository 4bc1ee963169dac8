package org.get4j.train;

import org.get4j.InvalidValueException;
import org.get4j.model.ModelConfig;
import org.get4j.runtime.TorchRuntime;

/**
 * About how much memory a distillation step takes, so that a batch that cannot fit is refused with the estimate
 * before anything is allocated (issue 18: {@code --batch 100000} grew to 24 GB and was killed without a word).
 *
 * <p>Weights, gradients, AdamW's two moments and the EMA: 5 fp32 copies of the parameters. Activations autograd
 * keeps per sample and per block run with a graph: Korthikanti et al. (2022)'s s h (34 + 5 a s / h) bytes of a
 * mixed-precision transformer layer, doubled for fp32, times {@link #ALLOCATOR_FACTOR} for what the allocator holds
 * beside them. GET runs its injection blocks once and its equilibrium blocks once per supervised state (phantom
 * gradient; the implicit gradient's solver runs without a graph); a ViT runs its blocks once. The factor is set
 * from {@code get4j bench}'s peak RSS (README, Performance: 4.9 GiB for GET-Mini at batch 128, 10.5 GiB for GET-T
 * at 16), which this estimate meets within 30 %: it is a guard against the impossible, not a budget.
 */
public record MemoryEstimate(long fixedBytes, long bytesPerSample) {
    /** Allocator and temporaries on top of the saved activations, fitted to the bench readings above. */
    static final double ALLOCATOR_FACTOR = 3.5;

    /**
     * Whether to check: not when training runs on a GPU (the estimate is of host memory, fitted on the CPU), and not
     * when {@code GET4J_MEMORY_CHECK=off} says the user knows better.
     */
    public static boolean checked() {
        String setting = System.getenv("GET4J_MEMORY_CHECK");
        return !(setting != null && setting.strip().equalsIgnoreCase("off")) && !TorchRuntime.defaultDevice().isGpu();
    }

    public static MemoryEstimate of(ModelConfig model, TrainConfig train) {
        long s = model.tokens();
        long h = model.width();
        long a = model.heads();
        double perBlock = 2.0 * s * h * (34 + 5.0 * a * s / h) * ALLOCATOR_FACTOR;
        long blocks = model.arch() == ModelConfig.Arch.VIT ? model.depth()
                : model.depth() + (long) model.memDepth() * (train.gradient() == TrainConfig.Gradient.PHANTOM
                        ? train.unroll() : 1);
        long image = 4L * model.channels() * model.imageSize() * model.imageSize();
        return new MemoryEstimate(5 * 4 * model.parameterCount(), (long) (perBlock * blocks) + 4 * image);
    }

    public long bytes(long batch) {
        return fixedBytes + batch * bytesPerSample;
    }

    /** The largest batch that fits in {@code availableMiB}. */
    public long largestBatch(long availableMiB) {
        return Math.max(0, ((availableMiB << 20) - fixedBytes) / bytesPerSample);
    }

    /** Refuses a batch whose estimate exceeds {@code availableMiB} (skipped when that is unknown, -1). */
    public void requireFits(int batch, long availableMiB) {
        if (availableMiB >= 0 && bytes(batch) > availableMiB << 20) {
            throw new InvalidValueException("training config", "batch", batch, String.format(
                    "at most about %d here: a step at this batch needs about %.1f GiB, %.1f GiB is available "
                    + "(GET4J_MEMORY_CHECK=off skips this estimate)",
                    largestBatch(availableMiB), bytes(batch) / (double) (1L << 30), availableMiB / 1024.0));
        }
    }
}
