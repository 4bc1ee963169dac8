package org.get4j.deq;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Limited-memory "good" Broyden on g(z) = f(z) - z = 0. The inverse Jacobian of g is approximated as
 * H = -I + sum_l u_l v_l^T (starting from -I, so the first step is a plain fixed-point step), each step is
 * dz = -H g(z), and after each step H takes the rank-one update that makes H dg = dz:
 *
 * <pre>  u = (dz - H dg) / (dz^T H dg),   v^T = dz^T H.</pre>
 *
 * At most {@code memory} updates are kept (the oldest is dropped); 0 keeps all. No line search.
 */
final class Broyden extends Solver {
    private static final double DENOMINATOR_FLOOR = 1e-30;

    Broyden(SolverConfig config) {
        super(config);
    }

    @Override
    protected void iterate(FlatMap f, NDArray x0, Tracker tracker) {
        Deque<NDArray> us = new ArrayDeque<>();
        Deque<NDArray> vs = new ArrayDeque<>();
        NDArray x = x0;
        NDArray g = null;
        NDArray dx = null;
        int memory = config.memory() == 0 ? config.maxIter() : config.memory();
        try {
            for (int k = 0; k < config.maxIter(); k++) {
                boolean done;
                try (NDScope scope = new NDScope()) {
                    if (dx != null) {
                        NDArray moved = x.add(dx);
                        NDScope.unregister(moved);
                        x.close();
                        x = moved;
                    }
                    NDArray fx = f.apply(x);
                    done = tracker.record(x, fx);
                    NDArray gNew = fx.sub(x);
                    if (g != null && !done) {
                        NDArray dg = gNew.sub(g);
                        NDArray hDg = applyH(us, vs, dg);
                        NDArray vT = applyHTranspose(us, vs, dx);
                        NDArray denominator = rowDot(vT, dg);
                        // Samples whose denominator vanishes keep their H: u = 0.
                        NDArray safe = denominator.abs().gt(DENOMINATOR_FLOOR);
                        NDArray u = dx.sub(hDg).div(denominator.add(safe.logicalNot().toType(denominator.getDataType(), false)))
                                .mul(safe.toType(dx.getDataType(), false));
                        NDScope.unregister(u, vT);
                        us.addLast(u);
                        vs.addLast(vT);
                        if (us.size() > memory) {
                            us.removeFirst().close();
                            vs.removeFirst().close();
                        }
                    }
                    NDArray step = applyH(us, vs, gNew).neg();
                    NDScope.unregister(gNew, step);
                    if (g != null) {
                        g.close();
                    }
                    if (dx != null) {
                        dx.close();
                    }
                    g = gNew;
                    dx = step;
                }
                if (done) {
                    break;
                }
            }
        } finally {
            x.close();
            if (g != null) {
                g.close();
            }
            if (dx != null) {
                dx.close();
            }
            us.forEach(NDArray::close);
            vs.forEach(NDArray::close);
        }
    }

    /** H y = -y + sum_l u_l (v_l . y), row by row. */
    private static NDArray applyH(Deque<NDArray> us, Deque<NDArray> vs, NDArray y) {
        NDArray out = y.neg();
        var u = us.iterator();
        for (NDArray v : vs) {
            out.addi(u.next().mul(rowDot(v, y)));
        }
        return out;
    }

    /** y^T H = -y^T + sum_l (y . u_l) v_l^T, row by row. */
    private static NDArray applyHTranspose(Deque<NDArray> us, Deque<NDArray> vs, NDArray y) {
        NDArray out = y.neg();
        var v = vs.iterator();
        for (NDArray u : us) {
            out.addi(v.next().mul(rowDot(u, y)));
        }
        return out;
    }

    /** Per-row dot product of two (B, D) arrays, as (B, 1). */
    private static NDArray rowDot(NDArray a, NDArray b) {
        return a.mul(b).sum(new int[] {1}, true);
    }
}
