package org.get4j.deq;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.get4j.runtime.Torch;

/**
 * Finds z* = f(z*) for a batch of states. Every solver records no autograd graph (on any thread), keeps per sample
 * the best estimate seen, stops early once every sample's residual is below the tolerance, and frees each
 * iteration's arrays as it goes.
 *
 * <p>The estimate paired with the residual ||f(z) - z|| is f(z): it costs nothing more and, for a contraction,
 * is closer to z* than z. With 6 fixed-point iterations from z0 this returns f^6(z0), the reference's output.
 */
public abstract class Solver {
    protected final SolverConfig config;

    protected Solver(SolverConfig config) {
        this.config = config;
    }

    public static Solver of(SolverConfig config) {
        return switch (config.solver()) {
            case FIXED_POINT -> new FixedPointIteration(config);
            case ANDERSON -> new Anderson(config);
            case BROYDEN -> new Broyden(config);
        };
    }

    public SolverConfig config() {
        return config;
    }

    /** Solves from {@code z0}; the result's state is attached to z0's manager. z0 is not modified. */
    public final SolverResult solve(FixedPointMap f, NDList z0) {
        long start = System.nanoTime();
        NDManager caller = z0.get(0).getManager();
        StatePacking packing = new StatePacking(z0);
        try (Torch.GradMode noGrad = Torch.noGrad(); NDManager work = caller.newSubManager()) {
            NDArray x0;
            try (NDScope scope = new NDScope()) {
                x0 = packing.flatten(z0).duplicate();
                NDScope.unregister(x0);
            }
            x0.attach(work);
            Tracker tracker = new Tracker(config);
            FlatMap flat = x -> packing.flatten(f.apply(packing.unflatten(x)));
            iterate(flat, x0, tracker);
            NDList state;
            try (NDScope scope = new NDScope()) {
                state = packing.unflatten(tracker.best());
                NDScope.unregister(state);
            }
            state.attach(caller);
            return tracker.result(state, System.nanoTime() - start);
        }
    }

    /**
     * Runs the method from x0 (B, D), calling {@code tracker.record(x, f(x))} after every evaluation and stopping
     * when it returns true or after {@code config.maxIter()} evaluations. Owns x0.
     */
    protected abstract void iterate(FlatMap f, NDArray x0, Tracker tracker);

    /** f on the flattened (B, D) state. */
    @FunctionalInterface
    protected interface FlatMap {
        NDArray apply(NDArray x);
    }
}
