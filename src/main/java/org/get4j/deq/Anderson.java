package org.get4j.deq;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Anderson acceleration (type II). With the last n = min(k, m) iterates X_i and evaluations F_i = f(X_i) and their
 * residuals G_i = F_i - X_i, each sample solves
 *
 * <pre>  min_alpha ||sum_i alpha_i G_i||^2 + lambda ||alpha||^2   subject to  sum_i alpha_i = 1</pre>
 *
 * (alpha = w / sum w with (G G^T + lambda I) w = 1), and moves to
 * x = beta sum alpha_i F_i + (1 - beta) sum alpha_i X_i. The first two steps are plain fixed-point steps.
 */
final class Anderson extends Solver {
    Anderson(SolverConfig config) {
        super(config);
    }

    @Override
    protected void iterate(FlatMap f, NDArray x0, Tracker tracker) {
        Deque<NDArray> xs = new ArrayDeque<>();
        Deque<NDArray> fs = new ArrayDeque<>();
        NDArray x = x0;
        try {
            for (int k = 0; k < config.maxIter(); k++) {
                NDArray next;
                boolean done;
                try (NDScope scope = new NDScope()) {
                    NDArray fx = f.apply(x);
                    done = tracker.record(x, fx);
                    NDScope.unregister(fx);
                    xs.addLast(x);
                    fs.addLast(fx);
                    if (xs.size() > config.m()) {
                        xs.removeFirst().close();
                        fs.removeFirst().close();
                    }
                    next = xs.size() < 2 ? fx.duplicate() : mix(xs, fs);
                    NDScope.unregister(next);
                }
                x = next;
                if (done) {
                    break;
                }
            }
        } finally {
            x.close();
            xs.forEach(NDArray::close);
            fs.forEach(NDArray::close);
        }
    }

    private NDArray mix(Deque<NDArray> xs, Deque<NDArray> fs) {
        NDArray stackX = NDArrays.stack(new NDList(xs.toArray(NDArray[]::new)), 1); // (B, n, D)
        NDArray stackF = NDArrays.stack(new NDList(fs.toArray(NDArray[]::new)), 1);
        NDArray g = stackF.sub(stackX);
        int batch = (int) g.getShape().get(0);
        int n = (int) g.getShape().get(1);
        double[] gram = g.batchMatMul(g.transpose(0, 2, 1)).toType(DataType.FLOAT64, false).toDoubleArray();
        double[] alpha = new double[batch * n];
        for (int b = 0; b < batch; b++) {
            double[] w = solveGram(gram, b * n * n, n, config.lambda());
            for (int i = 0; i < n; i++) {
                alpha[b * n + i] = w[i];
            }
        }
        NDArray a = g.getManager().create(alpha, new ai.djl.ndarray.types.Shape(batch, 1, n)).toType(g.getDataType(), false);
        NDArray mixedF = a.batchMatMul(stackF);
        NDArray mixed = config.beta() == 1.0 ? mixedF : mixedF.mul(config.beta()).addi(a.batchMatMul(stackX).muli(1 - config.beta()));
        return mixed.reshape(batch, -1);
    }

    /**
     * alpha = w / sum(w) where (G G^T + lambda I) w = 1, for one sample's n x n Gram block at {@code offset}.
     * Solved in double precision by Gaussian elimination with partial pivoting; a singular system falls back to
     * the newest evaluation alone (a plain fixed-point step).
     */
    static double[] solveGram(double[] gram, int offset, int n, double lambda) {
        double[][] a = new double[n][n + 1];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                a[i][j] = gram[offset + i * n + j] + (i == j ? lambda : 0);
            }
            a[i][n] = 1;
        }
        double scale = 0;
        for (int i = 0; i < n; i++) {
            scale = Math.max(scale, Math.abs(a[i][i]));
        }
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[p][c])) {
                    p = r;
                }
            }
            if (Math.abs(a[p][c]) <= 1e-14 * Math.max(scale, Double.MIN_NORMAL)) {
                return newestOnly(n);
            }
            double[] t = a[c];
            a[c] = a[p];
            a[p] = t;
            for (int r = c + 1; r < n; r++) {
                double factor = a[r][c] / a[c][c];
                for (int j = c; j <= n; j++) {
                    a[r][j] -= factor * a[c][j];
                }
            }
        }
        double[] w = new double[n];
        double sum = 0;
        for (int i = n - 1; i >= 0; i--) {
            double s = a[i][n];
            for (int j = i + 1; j < n; j++) {
                s -= a[i][j] * w[j];
            }
            w[i] = s / a[i][i];
        }
        for (double v : w) {
            sum += v;
        }
        if (!Double.isFinite(sum) || Math.abs(sum) < 1e-300) {
            return newestOnly(n);
        }
        for (int i = 0; i < n; i++) {
            w[i] /= sum;
        }
        return w;
    }

    private static double[] newestOnly(int n) {
        double[] w = new double[n];
        w[n - 1] = 1;
        return w;
    }
}
