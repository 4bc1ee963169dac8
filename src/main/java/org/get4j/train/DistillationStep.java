package org.get4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.get4j.deq.FixedPointCorrection;
import org.get4j.model.Generator;
import org.get4j.model.Supervision;
import org.get4j.optim.AdamW;
import org.get4j.optim.Gradients;
import org.get4j.optim.NonFiniteGuard;
import org.get4j.runtime.Torch;

/**
 * One step of the paper's objective (the reference's {@code fp_correction}): the student maps noise e to images;
 * every supervised state k is compared with the teacher's image x, the per-state losses are combined with the
 * fixed-point-correction weights, and AdamW updates the weights.
 *
 * <pre>  L = sum_k gamma^(n-k) mean |decode(z_k) - x|      (L1; L2 squares the difference)</pre>
 *
 * Which states there are is the student's business ({@link Generator#trainForward}, from the config's
 * {@link Supervision}): GET's n unrolled states z_k = f(z_{k-1}) from z_0 (the reference: n = 6, gamma = 0.8), or
 * its equilibrium only with the implicit gradient; a ViT's one output. An optional Jacobian penalty at the last
 * state keeps f contractive.
 */
public final class DistillationStep {
    /** The per-pixel distance. */
    public enum Distance { L1, L2 }

    private final Generator model;
    private final AdamW optimizer;
    private final TrainConfig config;
    private final double[] weights;
    private final List<NDArray> parameters;

    public DistillationStep(Generator model, AdamW optimizer, TrainConfig config) {
        this.model = model;
        this.optimizer = optimizer;
        this.config = config;
        this.weights = FixedPointCorrection.weights(model.supervisedStates(config.supervision()),
                FixedPointCorrection.Schedule.EXP, config.gamma());
        this.parameters = model.trainableArrays();
    }

    /** The reference objective at the reference's learning rate. */
    public static DistillationStep reference(Generator model, AdamW optimizer) {
        return new DistillationStep(model, optimizer, TrainConfig.reference(1, 1));
    }

    /** Losses of one step: each supervised state's, the weighted total, the gradient norm before the update. */
    public record Result(double[] stateLosses, double loss, double gradNorm, double jacobian, int solverIterations,
            boolean skipped) {}

    private NonFiniteGuard guard = new NonFiniteGuard(NonFiniteGuard.DEFAULT_LIMIT, 0);

    /** The guard that skips updates whose gradient is not finite (and stops after too many in a row). */
    public DistillationStep withGuard(NonFiniteGuard guard) {
        this.guard = guard;
        return this;
    }

    private NDArray distance(NDArray image, NDArray target) {
        NDArray diff = image.sub(target);
        return config.distance() == Distance.L1 ? diff.abs().mean() : diff.square().mean();
    }

    /** Forward, backward and update on one batch; z0 null draws it from the engine's generator. */
    public Result step(ParameterStore ps, NDArray noise, NDArray labels, NDArray target, NDArray z0, double lr) {
        double[] stateLosses;
        double loss;
        double jacobian = Double.NaN;
        int iterations;
        try (NDScope scope = new NDScope();
                GradientCollector gc = noise.getManager().getEngine().newGradientCollector();
                Generator.Supervised out = model.trainForward(ps, noise, labels, z0, config.supervision())) {
            List<NDArray> losses = out.images().stream().map(image -> distance(image, target)).toList();
            NDArray total = FixedPointCorrection.loss(losses, weights); // sum_k gamma^(n-k) d(decode(z_k), x)
            if (config.jacobianWeight() > 0) {
                NDArray penalty = out.jacobianPenalty(parameters);
                jacobian = penalty.getFloat();
                total = total.add(penalty.mul(Torch.constant(penalty, config.jacobianWeight())));
            }
            out.backward(gc, total);
            stateLosses = losses.stream().mapToDouble(NDArray::getFloat).toArray();
            loss = total.getFloat();
            iterations = out.solverIterations();
        }
        return finish(stateLosses, loss, jacobian, iterations, lr);
    }

    private Result finish(double[] stateLosses, double loss, double jacobian, int iterations, double lr) {
        double norm = Math.sqrt(Gradients.squaredNorm(parameters));
        boolean apply = guard.admit(norm, loss);
        if (apply) {
            optimizer.step(lr);
        } else {
            for (NDArray p : parameters) {
                Torch.zeroGrad(p);
            }
        }
        return new Result(stateLosses, loss, norm, jacobian, iterations, !apply);
    }
}
