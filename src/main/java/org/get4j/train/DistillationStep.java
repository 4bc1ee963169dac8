package org.get4j.train;

import org.get4j.optim.NonFiniteGuard;
import org.get4j.optim.AdamW;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.get4j.deq.Diagnostics;
import org.get4j.deq.FixedPointCorrection;
import org.get4j.deq.FixedPointMap;
import org.get4j.deq.ImplicitGradient;
import org.get4j.deq.PhantomGradient;
import org.get4j.deq.Solver;
import org.get4j.deq.SolverResult;
import org.get4j.model.Generator;
import org.get4j.model.GetModel;
import org.get4j.model.VitModel;
import org.get4j.runtime.Torch;

/**
 * One step of the paper's objective: the student maps noise e to images; every supervised state k is compared with
 * the teacher's image x, the per-state losses are combined with the fixed-point-correction weights, and AdamW
 * updates the weights.
 *
 * <pre>  L = sum_k gamma^(n-k) mean |decode(z_k) - x|      (L1; L2 squares the difference)</pre>
 *
 * GET with the phantom gradient supervises the n unrolled states z_k = f(z_{k-1}) from z_0 ~ N(0, I) (the
 * reference: n = 6, gamma = 0.8); with the implicit gradient it supervises the solver's equilibrium only. A ViT has
 * one state. An optional Jacobian penalty at the last state keeps f contractive.
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
        int states = model instanceof GetModel && config.gradient() == TrainConfig.Gradient.PHANTOM ? config.unroll() : 1;
        this.weights = FixedPointCorrection.weights(states, FixedPointCorrection.Schedule.EXP, config.gamma());
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

    /** Forward, backward and update on one batch; z0 null draws N(0, I) from the engine's generator. */
    public Result step(ParameterStore ps, NDArray noise, NDArray labels, NDArray target, NDArray z0, double lr) {
        double[] stateLosses;
        double loss;
        double jacobian = Double.NaN;
        int iterations = 0;
        try (NDScope scope = new NDScope();
                GradientCollector gc = noise.getManager().getEngine().newGradientCollector()) {
            List<NDArray> losses = new ArrayList<>();
            NDArray total;
            if (model instanceof VitModel vit) {
                losses.add(distance(vit.trainForward(ps, noise, labels, null, 1).get(0), target));
                total = FixedPointCorrection.loss(losses, weights);
                gc.backward(total);
            } else {
                GetModel get = (GetModel) model;
                GetModel.Problem problem = get.problem(ps, noise, labels, z0, true);
                FixedPointMap f = problem.map();
                NDArray start = problem.start();
                if (config.gradient() == TrainConfig.Gradient.PHANTOM) {
                    List<NDList> states = PhantomGradient.unroll(f, new NDList(start), config.unroll(), 1.0);
                    for (NDList z : states) {
                        losses.add(distance(get.decode(ps, z.singletonOrThrow(), true), target));
                    }
                    total = FixedPointCorrection.loss(losses, weights);
                    if (config.jacobianWeight() > 0) {
                        NDArray penalty = Diagnostics.jacobianPenalty(f, states.get(states.size() - 1), parameters, null);
                        jacobian = penalty.getFloat();
                        total = total.add(penalty.mul((float) config.jacobianWeight()));
                    }
                    gc.backward(total);
                } else {
                    NDList zStar;
                    try (Torch.GradMode noGrad = Torch.noGrad();
                            SolverResult r = Solver.of(config.forwardSolver()).solve(f, new NDList(start))) {
                        zStar = new NDList(r.state().singletonOrThrow().duplicate());
                        iterations = r.iterations();
                    }
                    ImplicitGradient implicit = new ImplicitGradient(config.backwardSolver());
                    try (ImplicitGradient.Step s = implicit.at(f, zStar, parameters)) {
                        losses.add(distance(get.decode(ps, s.state().singletonOrThrow(), true), target));
                        total = FixedPointCorrection.loss(losses, weights);
                        if (config.jacobianWeight() > 0) {
                            NDArray penalty = Diagnostics.jacobianPenalty(f, zStar, parameters, null);
                            jacobian = penalty.getFloat();
                            total = total.add(penalty.mul((float) config.jacobianWeight()));
                        }
                        stateLosses = losses.stream().mapToDouble(NDArray::getFloat).toArray();
                        loss = total.getFloat();
                        s.backward(total);
                    }
                    return finish(stateLosses, loss, jacobian, iterations, lr);
                }
            }
            stateLosses = losses.stream().mapToDouble(NDArray::getFloat).toArray();
            loss = total.getFloat();
        }
        return finish(stateLosses, loss, jacobian, iterations, lr);
    }

    private Result finish(double[] stateLosses, double loss, double jacobian, int iterations, double lr) {
        double sq = 0;
        try (NDScope scope = new NDScope()) {
            for (NDArray p : parameters) {
                sq += p.getGradient().square().sum().getFloat();
            }
        }
        double norm = Math.sqrt(sq);
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
