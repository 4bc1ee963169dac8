package org.get4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.get4j.deq.SolverConfig;
import org.get4j.model.Generator;
import org.get4j.model.ModelConfig;
import org.get4j.optim.AdamW;
import org.get4j.optim.Ema;
import org.get4j.pairs.SeededNoise;
import org.get4j.runtime.Memory;
import org.get4j.train.DistillationStep;

/**
 * A long run of the training loop (reference step, EMA, a fresh batch every step) that samples the process's
 * memory: a leak of engine arrays shows as resident memory that keeps growing after the allocator has warmed up.
 */
public final class Soak {
    /** Memory after {@code step} steps. */
    public record Sample(long step, long rssMiB, long heapUsedMiB, double imagesPerSecond) {}

    /** The samples, and the growth of resident memory after warm-up. */
    public record Result(String model, int batch, List<Sample> samples) {
        /** The reading that ends the warm-up: the allocator grows during the first tenth of the run. */
        public Sample warm() {
            return samples.get(samples.size() / 10);
        }

        /** Resident memory at the end minus after warm-up. */
        public long growthMiB() {
            return samples.get(samples.size() - 1).rssMiB() - warm().rssMiB();
        }
    }

    private Soak() {}

    public static Result run(NDManager manager, String name, ModelConfig config, int batch, int steps, int every,
            Consumer<Sample> progress) {
        if (steps < every || every < 1) {
            throw new IllegalArgumentException("steps " + steps + " must be at least the sampling interval " + every);
        }
        List<Sample> samples = new ArrayList<>();
        try (NDManager m = manager.newSubManager()) {
            TrainingRig rig = new TrainingRig(m, config, batch, SolverConfig.REFERENCE_ITERATIONS, true);
            int px = config.channels() * config.imageSize() * config.imageSize();
            Shape shape = new Shape(batch, config.channels(), config.imageSize(), config.imageSize());
            long window = System.nanoTime();
            for (int k = 0; k < steps; k++) {
                try (NDScope scope = new NDScope(); NDManager b = m.newSubManager()) {
                    NDArray noise = b.create(SeededNoise.noise((long) k * batch, batch, px), shape);
                    NDArray target = noise.tanh();
                    rig.step.step(rig.ps, noise, null, target, null, 1e-4);
                }
                rig.ema.update(k);
                if ((k + 1) % every == 0) {
                    double rate = every * batch / ((System.nanoTime() - window) / 1e9);
                    Sample s = new Sample(k + 1, Memory.rssMiB(), Memory.heapUsedMiB(), rate);
                    samples.add(s);
                    progress.accept(s);
                    window = System.nanoTime();
                }
            }
        }
        return new Result(name, batch, samples);
    }
}
