package org.get4j.deq;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.List;
import org.get4j.runtime.Torch;

/**
 * Implicit differentiation through an equilibrium z* = f(z*, theta). For a loss L(z*),
 *
 * <pre>  dL/dtheta = g^T df/dtheta,   where   g = J^T g + dL/dz*,   J = df/dz at z*,</pre>
 *
 * so the backward pass solves a second fixed-point problem with vector-Jacobian products and then sends g
 * through one call of f into the parameters. DJL has no custom autograd functions, so a training step uses a
 * {@link Step} whose {@code backward} does all of it and is the only backward call of the step:
 *
 * <pre>{@code
 * try (GradientCollector gc = trainer.newGradientCollector();
 *      ImplicitGradient.Step step = implicit.at(f, zStar, parameters)) {
 *     NDArray loss = lossOf(step.state());   // z* as a differentiable input
 *     step.backward(loss);                   // instead of gc.backward(loss)
 * }
 * trainer.step();
 * }</pre>
 *
 * Closing a step whose backward was never called is an error, so a loop cannot silently skip the solve.
 */
public final class ImplicitGradient {
    private final SolverConfig backwardSolver;

    /** @param backwardSolver the solver for g = J^T g + dL/dz* (its tolerance applies to g) */
    public ImplicitGradient(SolverConfig backwardSolver) {
        this.backwardSolver = backwardSolver;
    }

    /**
     * Opens a step at the equilibrium {@code zStar} (from a solver; gradients through it are ignored).
     * {@code parameters} are all parameter arrays of the model: every one may receive gradient from the loss, and
     * the backward solve must not leave its own traces in them. Call inside a GradientCollector.
     */
    public Step at(FixedPointMap f, NDList zStar, List<NDArray> parameters) {
        if (!Torch.isGradEnabled()) {
            throw new IllegalStateException("ImplicitGradient.at needs grad mode: open a GradientCollector first");
        }
        return new Step(f, zStar, parameters);
    }

    /** One implicit-gradient training step; see the class comment. */
    public final class Step implements AutoCloseable {
        private final List<NDArray> parameters;
        private final StatePacking packing;
        private final NDManager manager;
        private final NDArray zIn;
        private final NDArray fOut;
        private final NDArray outLeaf;
        private final NDList state;
        private SolverResult backwardResult;

        private Step(FixedPointMap f, NDList zStar, List<NDArray> parameters) {
            this.parameters = parameters;
            this.packing = new StatePacking(zStar);
            this.manager = zStar.get(0).getManager().newSubManager();
            NDArray z;
            try (NDScope scope = new NDScope()) {
                z = packing.flatten(zStar).stopGradient().duplicate();
                NDScope.unregister(z);
            }
            z.attach(manager);
            z.setRequiresGradient(true);
            this.zIn = z;
            NDArray out = packing.flatten(f.apply(packing.unflatten(zIn)));
            this.fOut = out;
            NDArray leaf = out.stopGradient().duplicate();
            leaf.setRequiresGradient(true);
            this.outLeaf = leaf;
            this.state = packing.unflatten(outLeaf);
        }

        /** f(z*) as a differentiable input for the loss. */
        public NDList state() {
            return state;
        }

        /**
         * Back-propagates {@code loss}: into the parameters that act after z* (as usual), then solves for g and
         * sends it through f into the parameters that act inside and before f. Returns the backward solve's result
         * (residuals, iterations) for logging; its state is closed with the step.
         */
        public SolverResult backward(NDArray loss) {
            if (backwardResult != null) {
                throw new IllegalStateException("ImplicitGradient.Step.backward called twice");
            }
            try (NDScope scope = new NDScope()) {
                Torch.backward(loss, loss.onesLike(), false, false);
                NDArray dLdz = outLeaf.getGradient().duplicate();
                try (GradientSnapshot snapshot = GradientSnapshot.take(parameters)) {
                    FixedPointMap adjoint = g -> new NDList(vjp(g.singletonOrThrow()).addi(dLdz));
                    backwardResult = Solver.of(backwardSolver).solve(adjoint, new NDList(dLdz));
                    snapshot.restore();
                }
                NDArray g = backwardResult.state().singletonOrThrow();
                Torch.backward(fOut, g, false, false);
            }
            return backwardResult;
        }

        /** J^T v at z*, by one backward through the kept graph of f. */
        private NDArray vjp(NDArray v) {
            if (zIn.hasGradient()) {
                try {
                    Torch.zeroGrad(zIn);
                } catch (IllegalStateException ignored) {
                    // no gradient yet
                }
            }
            Torch.backward(fOut, v, true, false);
            return zIn.getGradient().duplicate();
        }

        @Override
        public void close() {
            try {
                if (backwardResult == null) {
                    throw new IllegalStateException("ImplicitGradient.Step closed without backward(loss): the "
                            + "parameters inside f received no gradient");
                }
            } finally {
                if (backwardResult != null) {
                    backwardResult.close();
                }
                state.close();
                outLeaf.close();
                manager.close();
            }
        }
    }
}
