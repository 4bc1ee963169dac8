package org.get4j.deq;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

/** Damped fixed-point iteration: z_{k+1} = tau f(z_k) + (1 - tau) z_k. */
final class FixedPointIteration extends Solver {
    FixedPointIteration(SolverConfig config) {
        super(config);
    }

    @Override
    protected void iterate(FlatMap f, NDArray x0, Tracker tracker) {
        double tau = config.tau();
        NDArray x = x0;
        for (int k = 0; k < config.maxIter(); k++) {
            NDArray next;
            boolean done;
            try (NDScope scope = new NDScope()) {
                NDArray fx = f.apply(x);
                done = tracker.record(x, fx);
                next = tau == 1.0 ? fx : fx.mul(tau).addi(x.mul(1 - tau));
                NDScope.unregister(next);
            }
            x.close();
            x = next;
            if (done) {
                break;
            }
        }
        x.close();
    }
}
