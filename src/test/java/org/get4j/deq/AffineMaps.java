package org.get4j.deq;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Random;

/** Test maps with known fixed points: f(z) = z A^T + b per sample, A = Q diag(eigs) Q^T symmetric. */
final class AffineMaps {
    private AffineMaps() {}

    /** A symmetric d x d matrix with the given eigenvalues in a random orthonormal basis (row-major). */
    static double[] symmetric(double[] eigs, long seed) {
        int d = eigs.length;
        double[][] q = randomOrthonormal(d, seed);
        double[] a = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) {
                    s += q[k][i] * eigs[k] * q[k][j];
                }
                a[i * d + j] = s;
            }
        }
        return a;
    }

    /** Rows are orthonormal vectors (Gram-Schmidt on Gaussian vectors). */
    static double[][] randomOrthonormal(int d, long seed) {
        Random r = new Random(seed);
        double[][] q = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                q[i][j] = r.nextGaussian();
            }
            for (int k = 0; k < i; k++) {
                double dot = 0;
                for (int j = 0; j < d; j++) {
                    dot += q[i][j] * q[k][j];
                }
                for (int j = 0; j < d; j++) {
                    q[i][j] -= dot * q[k][j];
                }
            }
            double norm = 0;
            for (int j = 0; j < d; j++) {
                norm += q[i][j] * q[i][j];
            }
            for (int j = 0; j < d; j++) {
                q[i][j] /= Math.sqrt(norm);
            }
        }
        return q;
    }

    /** z* = (I - A)^{-1} b for each row of b, by Gaussian elimination in double. */
    static double[] fixedPoint(double[] a, double[] b, int d) {
        double[][] m = new double[d][d + 1];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                m[i][j] = (i == j ? 1 : 0) - a[i * d + j];
            }
            m[i][d] = b[i];
        }
        for (int c = 0; c < d; c++) {
            int p = c;
            for (int r = c + 1; r < d; r++) {
                if (Math.abs(m[r][c]) > Math.abs(m[p][c])) {
                    p = r;
                }
            }
            double[] t = m[c];
            m[c] = m[p];
            m[p] = t;
            for (int r = 0; r < d; r++) {
                if (r != c) {
                    double f = m[r][c] / m[c][c];
                    for (int j = c; j <= d; j++) {
                        m[r][j] -= f * m[c][j];
                    }
                }
            }
        }
        double[] z = new double[d];
        for (int i = 0; i < d; i++) {
            z[i] = m[i][d] / m[i][i];
        }
        return z;
    }

    /** f(z) = z A^T + b on a (B, d) state, as float64 arrays in the manager. */
    static FixedPointMap affine(NDManager manager, double[] a, double[] b, int d) {
        NDArray at = manager.create(a, new ai.djl.ndarray.types.Shape(d, d)).transpose();
        NDArray bias = manager.create(b, new ai.djl.ndarray.types.Shape(1, d));
        return z -> new NDList(z.singletonOrThrow().matMul(at).add(bias));
    }

    static NDArray zeros(NDManager m, int batch, int d) {
        return m.zeros(new ai.djl.ndarray.types.Shape(batch, d), DataType.FLOAT64);
    }
}
