package org.get4j.bench;

import ai.djl.ndarray.NDScope;
import java.util.function.IntConsumer;

/** Wall time of repeated runs after warm-up; each run in its own array scope, so arrays it makes are freed. */
final class Timing {
    private Timing() {}

    /** Milliseconds of each of {@code repeats} runs after {@code warmup} untimed ones; run k gets its index. */
    static double[] millis(int warmup, int repeats, IntConsumer run) {
        double[] out = new double[repeats];
        for (int k = 0; k < warmup + repeats; k++) {
            try (NDScope scope = new NDScope()) {
                long t0 = System.nanoTime();
                run.accept(k);
                if (k >= warmup) {
                    out[k - warmup] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        return out;
    }

    /** The median of {@link #millis}. */
    static double medianMillis(int warmup, int repeats, IntConsumer run) {
        return DeqBenchmark.median(millis(warmup, repeats, run));
    }
}
