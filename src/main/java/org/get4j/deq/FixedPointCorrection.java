package org.get4j.deq;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.get4j.runtime.Torch;

/**
 * The fixed-point-correction loss: supervise every unrolled state z_1..z_n, weighting later states more.
 * GET uses L = sum_{k=1..n} 0.8^(n-k) L_k (weights 0.32768 .. 1 for n = 6, not normalised).
 */
public final class FixedPointCorrection {
    /** How the weight of state k of n grows. */
    public enum Schedule {
        /** gamma^(n-k): the reference. */
        EXP,
        /**
         * k / n. (torchdeq's 'linear' is 1 - (n - k) / n * gamma, default gamma 0.9: this is its gamma = 1 case, so
         * it is not called linear here.)
         */
        PROPORTIONAL,
        /** 1 for every state. */
        CONSTANT
    }

    private FixedPointCorrection() {}

    public static double[] weights(int n, Schedule schedule, double gamma) {
        if (n < 1) {
            throw new IllegalArgumentException("need at least one supervised state, got " + n);
        }
        if (schedule == Schedule.EXP && !(gamma > 0 && gamma <= 1)) {
            throw new IllegalArgumentException("gamma must be in (0, 1], got " + gamma);
        }
        double[] w = new double[n];
        for (int k = 1; k <= n; k++) {
            w[k - 1] = switch (schedule) {
                case EXP -> Math.pow(gamma, n - k);
                case PROPORTIONAL -> (double) k / n;
                case CONSTANT -> 1.0;
            };
        }
        return w;
    }

    /** The reference's weights: EXP with gamma 0.8. */
    public static double[] referenceWeights(int n) {
        return weights(n, Schedule.EXP, 0.8);
    }

    /** sum_k w_k L_k for the per-state scalar losses (weights as float32, so float32 losses stay float32). */
    public static NDArray loss(List<NDArray> perStateLosses, double[] weights) {
        if (perStateLosses.size() != weights.length) {
            throw new IllegalArgumentException(perStateLosses.size() + " state losses but " + weights.length
                    + " weights");
        }
        NDArray total = weighted(perStateLosses.get(0), weights[0]);
        for (int k = 1; k < weights.length; k++) {
            total = total.add(weighted(perStateLosses.get(k), weights[k]));
        }
        return total;
    }

    private static NDArray weighted(NDArray loss, double weight) {
        return loss.mul(Torch.constant(loss, weight));
    }
}
