package org.get4j.deq;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Anderson acceleration (type II). With the last n = min(k, m) iterates X_i, evaluations F_i = f(X_i) and
 * residuals G_i = F_i - X_i, each sample solves
 *
 * <pre>  min_alpha ||sum_i alpha_i G_i||^2 + lambda s ||alpha||^2   subject to  sum_i alpha_i = 1</pre>
 *
 * (alpha = w / sum w with (G G^T + lambda s I) w = 1), and moves to
 * x = beta sum alpha_i F_i + (1 - beta) sum alpha_i X_i. The first step is a plain fixed-point step.
 * The regulariser is scaled by s = trace(G G^T) / n, the mean squared residual of the history: an absolute lambda
 * (torchdeq's) swamps the Gram matrix once residuals are small and turns the method into slow averaging.
 *
 * <p>Cost: the Gram matrix G G^T is kept in double precision and only its new row is computed per step (n dot
 * products), and the mix is n scaled additions; no history is copied into a stacked tensor.
 */
final class Anderson extends Solver {
    Anderson(SolverConfig config) {
        super(config);
    }

    /** One remembered step: iterate, evaluation, residual. */
    private record Entry(NDArray x, NDArray fx, NDArray g) {
        void close() {
            x.close();
            fx.close();
            g.close();
        }
    }

    @Override
    protected void iterate(FlatMap f, NDArray x0, Tracker tracker) {
        int m = config.m();
        List<Entry> history = new ArrayList<>(); // oldest first
        double[][][] gram = null; // per sample, (m x m) Gram matrix in history order
        NDArray x = x0;
        try {
            for (int k = 0; k < config.maxIter(); k++) {
                NDArray next;
                boolean done;
                try (NDScope scope = new NDScope()) {
                    NDArray fx = f.apply(x);
                    done = tracker.record(x, fx);
                    NDArray g = fx.sub(x);
                    NDScope.unregister(fx, g);
                    int batch = (int) g.getShape().get(0);
                    if (gram == null) {
                        gram = new double[batch][m][m];
                    }
                    if (history.size() == m) {
                        history.remove(0).close();
                        for (double[][] sample : gram) {
                            shiftOut(sample);
                        }
                    }
                    history.add(new Entry(x, fx, g));
                    int n = history.size();
                    for (int j = 0; j < n; j++) {
                        double[] dots = rowDots(g, history.get(j).g());
                        for (int b = 0; b < batch; b++) {
                            gram[b][n - 1][j] = dots[b];
                            gram[b][j][n - 1] = dots[b];
                        }
                    }
                    next = n < 2 ? fx.duplicate() : mix(history, gram, batch);
                    NDScope.unregister(next);
                }
                x = next;
                if (done) {
                    break;
                }
            }
        } finally {
            x.close();
            history.forEach(Entry::close);
        }
    }

    private static double[] rowDots(NDArray a, NDArray b) {
        return a.mul(b).sum(new int[] {1}).toType(DataType.FLOAT64, false).toDoubleArray();
    }

    /** Drops the oldest entry (row and column 0) of a Gram matrix kept in history order. */
    private static void shiftOut(double[][] g) {
        int m = g.length;
        for (int i = 1; i < m; i++) {
            System.arraycopy(g[i], 1, g[i - 1], 0, m - 1);
        }
    }

    private NDArray mix(List<Entry> history, double[][][] gram, int batch) {
        int n = history.size();
        double[][] alpha = new double[n][batch];
        double[] block = new double[n * n];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    block[i * n + j] = gram[b][i][j];
                }
            }
            double[] w = solveGram(block, 0, n, config.lambda());
            for (int i = 0; i < n; i++) {
                alpha[i][b] = w[i];
            }
        }
        NDArray first = history.get(0).fx();
        NDArray out = null;
        for (int i = 0; i < n; i++) {
            Entry e = history.get(i);
            NDArray a = first.getManager().create(alpha[i], new Shape(batch, 1)).toType(first.getDataType(), false);
            NDArray term = config.beta() == 1.0 ? e.fx().mul(a)
                    : e.fx().mul(config.beta()).addi(e.x().mul(1 - config.beta())).muli(a);
            out = out == null ? term : out.addi(term);
        }
        return out;
    }

    /**
     * alpha = w / sum(w) where (G G^T + lambda s I) w = 1, s = trace(G G^T) / n, for one sample's n x n Gram
     * block at {@code offset}.
     * Solved in double precision by Gaussian elimination with partial pivoting; a singular system falls back to
     * the newest evaluation alone (a plain fixed-point step).
     */
    static double[] solveGram(double[] gram, int offset, int n, double lambda) {
        double meanSquare = 0;
        for (int i = 0; i < n; i++) {
            meanSquare += gram[offset + i * n + i] / n;
        }
        double ridge = lambda * meanSquare;
        double[][] a = new double[n][n + 1];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                a[i][j] = gram[offset + i * n + j] + (i == j ? ridge : 0);
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
        for (int i = n - 1; i >= 0; i--) {
            double s = a[i][n];
            for (int j = i + 1; j < n; j++) {
                s -= a[i][j] * w[j];
            }
            w[i] = s / a[i][i];
        }
        double sum = 0;
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
