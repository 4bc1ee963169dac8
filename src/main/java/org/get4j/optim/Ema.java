package org.get4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.List;
import org.get4j.runtime.Torch;

/**
 * The exponential moving average of the weights that all evaluation uses: ema <- d ema + (1 - d) w, d = 0.9999 in
 * the reference. An optional warm-up, d_t = min(d, (1 + t) / (10 + t)), lets short runs' EMA follow the weights.
 */
public final class Ema {
    private final List<NDArray> ema;
    private final List<NDArray> weights;
    private final double decay;
    private final boolean warmup;

    /** {@code ema} and {@code weights} are matching parameter arrays of two models of the same config. */
    public Ema(List<NDArray> ema, List<NDArray> weights, double decay, boolean warmup) {
        if (ema.size() != weights.size()) {
            throw new IllegalArgumentException("EMA model has " + ema.size() + " arrays, the model " + weights.size());
        }
        this.ema = ema;
        this.weights = weights;
        this.decay = decay;
        this.warmup = warmup;
    }

    /** The decay used after {@code step} updates. */
    public double decayAt(long step) {
        return warmup ? Math.min(decay, (1.0 + step) / (10.0 + step)) : decay;
    }

    /** One update after optimizer step {@code step} (0-based). */
    public void update(long step) {
        double d = decayAt(step);
        try (Torch.GradMode noGrad = Torch.noGrad(); NDScope scope = new NDScope()) {
            for (int i = 0; i < ema.size(); i++) {
                ema.get(i).muli(d).addi(weights.get(i).mul(1 - d));
            }
        }
    }

    /** Copies the weights into the EMA (at the start of training). */
    public void reset() {
        try (Torch.GradMode noGrad = Torch.noGrad()) {
            for (int i = 0; i < ema.size(); i++) {
                Torch.assign(ema.get(i), weights.get(i).toFloatArray());
            }
        }
    }
}
