package org.get4j.deq;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Per-sample residual traces, the per-sample best estimate, and the stopping rule shared by all solvers. */
final class Tracker {
    private static final double REL_EPS = 1e-8;

    private final SolverConfig config;
    private final List<double[]> absTrace = new ArrayList<>();
    private final List<double[]> relTrace = new ArrayList<>();
    private double[] bestAbs;
    private double[] bestRel;
    private NDArray best;

    Tracker(SolverConfig config) {
        this.config = config;
    }

    /**
     * Records one evaluation fx = f(x) (both (B, D)); keeps fx for each sample whose residual improved, or always
     * with {@code returnFinal}. Returns true when every sample's residual is below the tolerance (never with
     * {@code returnFinal}, which runs every iteration).
     */
    boolean record(NDArray x, NDArray fx) {
        double[] abs;
        double[] norm;
        try (NDScope scope = new NDScope()) {
            abs = norms(fx.sub(x));
            norm = norms(fx);
        }
        double[] rel = new double[abs.length];
        for (int i = 0; i < abs.length; i++) {
            rel[i] = abs[i] / (norm[i] + REL_EPS);
        }
        absTrace.add(abs);
        relTrace.add(rel);
        double[] current = config.stopMode() == StopMode.ABS ? abs : rel;
        if (config.returnFinal()) {
            if (best != null) {
                best.close();
            }
            best = fx.duplicate();
            bestAbs = abs.clone();
            bestRel = rel.clone();
            NDScope.unregister(best);
            return false;
        }
        if (best == null) {
            best = fx.duplicate();
            bestAbs = abs.clone();
            bestRel = rel.clone();
        } else {
            double[] previous = config.stopMode() == StopMode.ABS ? bestAbs : bestRel;
            boolean[] improved = new boolean[current.length];
            int count = 0;
            for (int i = 0; i < current.length; i++) {
                improved[i] = current[i] < previous[i];
                if (improved[i]) {
                    count++;
                    bestAbs[i] = abs[i];
                    bestRel[i] = rel[i];
                }
            }
            if (count == current.length) {
                best.close();
                best = fx.duplicate();
            } else if (count > 0) {
                NDArray updated;
                try (NDScope scope = new NDScope()) {
                    NDArray mask = fx.getManager().create(improved).reshape(current.length, 1).broadcast(fx.getShape());
                    updated = ai.djl.ndarray.NDArrays.where(mask, fx, best);
                    NDScope.unregister(updated);
                }
                best.close();
                best = updated;
            }
        }
        NDScope.unregister(best);
        return Arrays.stream(current).max().orElse(0) < config.tol();
    }

    private static double[] norms(NDArray rows) {
        return rows.norm(new int[] {1}).toType(DataType.FLOAT64, false).toDoubleArray();
    }

    NDArray best() {
        return best;
    }

    int evaluations() {
        return absTrace.size();
    }

    SolverResult result(NDList state, long nanos) {
        double[] bestTracked = config.stopMode() == StopMode.ABS ? bestAbs : bestRel;
        boolean converged = Arrays.stream(bestTracked).max().orElse(0) < config.tol();
        return new SolverResult(state, List.copyOf(absTrace), List.copyOf(relTrace), bestAbs.clone(),
                bestRel.clone(), absTrace.size(), converged, nanos);
    }
}
