package org.get4j.deq;

import ai.djl.ndarray.NDList;
import java.util.List;

/**
 * What a solve returns: per sample, f(z) at the iterate z with the lowest residual seen (or at the last iterate, with
 * {@link SolverConfig#returnFinal()}), plus the traces that show how it got there. The caller owns {@code state}
 * (attached to the initial state's manager).
 *
 * @param state the returned equilibrium estimate, same structure as the initial state
 * @param absTrace absolute residual ||f(z) - z|| per evaluation (outer list) and sample (inner array)
 * @param relTrace relative residual per evaluation and sample
 * @param bestAbs per sample, the absolute residual of the returned estimate's iterate
 * @param bestRel per sample, the relative residual of the returned estimate's iterate
 * @param iterations evaluations of f used
 * @param converged every sample's residual (per the stop mode) fell below the tolerance
 * @param nanos wall time of the solve
 */
public record SolverResult(NDList state, List<double[]> absTrace, List<double[]> relTrace, double[] bestAbs,
        double[] bestRel, int iterations, boolean converged, long nanos) implements AutoCloseable {

    /** The largest per-sample residual of the returned estimate in the given mode. */
    public double maxResidual(StopMode mode) {
        double max = 0;
        for (double r : mode == StopMode.ABS ? bestAbs : bestRel) {
            max = Math.max(max, r);
        }
        return max;
    }

    /** The batch-mean residual after each evaluation (for plots). */
    public double[] meanTrace(StopMode mode) {
        List<double[]> trace = mode == StopMode.ABS ? absTrace : relTrace;
        double[] mean = new double[trace.size()];
        for (int k = 0; k < mean.length; k++) {
            double s = 0;
            for (double r : trace.get(k)) {
                s += r;
            }
            mean[k] = s / trace.get(k).length;
        }
        return mean;
    }

    @Override
    public void close() {
        state.close();
    }
}
