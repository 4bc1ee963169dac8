package org.get4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.get4j.deq.FixedPointCorrection;
import org.get4j.model.Generator;

/**
 * One step of the paper's objective: the student maps noise e to images; every supervised state k is compared with
 * the teacher's image x, and the per-state losses are combined with the fixed-point-correction weights
 * (GET: 6 unrolled states, 0.8^(6-k); ViT: one state), then AdamW updates the weights.
 *
 * <pre>  L = sum_k w_k mean |decode(z_k) - x|        (L1; or mean (decode(z_k) - x)^2 for L2)</pre>
 */
public final class DistillationStep {
    /** The per-pixel distance. */
    public enum Distance { L1, L2 }

    private final Generator model;
    private final AdamW optimizer;
    private final int unroll;
    private final double[] weights;
    private final Distance distance;
    private final List<NDArray> parameters;

    public DistillationStep(Generator model, AdamW optimizer, int unroll, double[] weights, Distance distance) {
        this.model = model;
        this.optimizer = optimizer;
        this.unroll = unroll;
        this.weights = weights;
        this.distance = distance;
        this.parameters = model.trainableArrays();
    }

    /** The reference objective for the model: 6 states with weights 0.8^(6-k) for GET, one for a ViT; L1. */
    public static DistillationStep reference(Generator model, AdamW optimizer) {
        boolean get = model.config().arch() == org.get4j.model.ModelConfig.Arch.GET;
        return new DistillationStep(model, optimizer, get ? 6 : 1,
                get ? FixedPointCorrection.referenceWeights(6) : new double[] {1.0}, Distance.L1);
    }

    /** Losses of one step: each supervised state's, the weighted total, and the gradient norm before the update. */
    public record Result(double[] stateLosses, double loss, double gradNorm) {}

    /** Forward, backward and update on one batch; z0 null draws a fresh N(0, I) state (the reference's). */
    public Result step(ParameterStore ps, NDArray noise, NDArray labels, NDArray target, NDArray z0, double lr) {
        double[] stateLosses;
        double loss;
        double gradNorm;
        try (NDScope scope = new NDScope();
                GradientCollector gc = noise.getManager().getEngine().newGradientCollector()) {
            List<NDArray> images = model.trainForward(ps, noise, labels, z0, unroll);
            List<NDArray> losses = new ArrayList<>(images.size());
            for (NDArray image : images) {
                NDArray diff = image.sub(target);
                losses.add(distance == Distance.L1 ? diff.abs().mean() : diff.square().mean());
            }
            NDArray total = FixedPointCorrection.loss(losses, weights);
            gc.backward(total);
            stateLosses = losses.stream().mapToDouble(l -> l.getFloat()).toArray();
            loss = total.getFloat();
            double sq = 0;
            for (NDArray p : parameters) {
                sq += p.getGradient().square().sum().getFloat();
            }
            gradNorm = Math.sqrt(sq);
        }
        optimizer.step(lr);
        return new Result(stateLosses, loss, gradNorm);
    }
}
