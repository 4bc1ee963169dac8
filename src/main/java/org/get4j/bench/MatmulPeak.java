package org.get4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.get4j.runtime.Torch;

/**
 * This machine's fp32 matrix-multiply peak as the engine reaches it: the best rate of the median time of square products
 * n x n times n x n (2 n^3 FLOPs each). Model FLOPs utilisation is measured against it, in the same process and
 * with the same thread setting, so the ratio says how much of what the hardware delivers to GEMM the model gets.
 */
public final class MatmulPeak {
    /** The rate of each size and the best of them, in GFLOP/s. */
    public record Result(int[] sizes, double[] gflops, double peak) {}

    private MatmulPeak() {}

    public static Result measure(NDManager manager, int[] sizes, int repeats) {
        double[] rates = new double[sizes.length];
        double peak = 0;
        try (Torch.GradMode noGrad = Torch.noGrad()) {
            for (int i = 0; i < sizes.length; i++) {
                int n = sizes[i];
                try (NDManager m = manager.newSubManager()) {
                    NDArray a = m.randomUniform(-1, 1, new Shape(n, n));
                    NDArray b = m.randomUniform(-1, 1, new Shape(n, n));
                    // the first product warms the allocator and the thread pool; reading one element waits for it
                    double ms = Timing.medianMillis(1, repeats, k -> a.matMul(b).getFloat(0, 0));
                    rates[i] = 2.0 * n * n * n / (ms / 1e3) / 1e9;
                    peak = Math.max(peak, rates[i]);
                }
            }
        }
        return new Result(sizes.clone(), rates, peak);
    }

    public static Result measure(NDManager manager) {
        return measure(manager, new int[] {512, 1024, 2048}, 5);
    }
}
