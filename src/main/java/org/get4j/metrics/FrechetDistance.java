package org.get4j.metrics;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.get4j.Get4jException;

/**
 * The Frechet distance between two Gaussians fitted to features:
 *
 * <pre>  FD = |mu1 - mu2|^2 + tr S1 + tr S2 - 2 tr (S1 S2)^(1/2)</pre>
 *
 * computed by the symmetric route: tr (S1 S2)^(1/2) = sum sqrt(eig(S2^(1/2) S1 S2^(1/2))), where both
 * eigendecompositions are of symmetric matrices (S1 S2 itself is not symmetric; eigvalsh on it is wrong). The root
 * of the second is computed once ({@link Reference}), so many distances to one reference cost one decomposition each.
 * With FID's 2048-d Inception features this takes a few seconds with EJML.
 */
public final class FrechetDistance {
    private FrechetDistance() {}

    public static double between(FeatureStatistics a, FeatureStatistics b) {
        if (a.dim() != b.dim()) {
            throw new Get4jException("statistics of dimension " + a.dim() + " and " + b.dim() + " cannot be compared");
        }
        for (FeatureStatistics s : new FeatureStatistics[] {a, b}) {
            if (!java.util.Arrays.stream(s.mean()).allMatch(Double::isFinite)) {
                throw new Get4jException("statistics of " + s.count() + " samples are not finite (NaN or infinity in "
                        + "the features): the images were not finite; was the model's training diverged?");
            }
        }
        for (FeatureStatistics s : new FeatureStatistics[] {a, b}) {
            if (s.count() > 0 && s.count() <= s.dim()) {
                throw new Get4jException("statistics from " + s.count() + " samples of " + s.dim() + "-d features: the "
                        + "covariance is singular; use more samples than feature dimensions");
            }
        }
        return between(a.mean(), a.covariance(), b.mean(), b.covariance());
    }

    public static double between(double[] mu1, double[] s1, double[] mu2, double[] s2) {
        return new Reference(mu2, s2).distance(mu1, s1);
    }

    /**
     * A fixed second Gaussian with its root S2^(1/2) computed once, for many distances to it (a bootstrap's
     * resamples): tr (S1 S2)^(1/2) = sum sqrt(eig(S2^(1/2) S1 S2^(1/2))).
     */
    public static final class Reference {
        private final double[] mu;
        private final double trace;
        private final DMatrixRMaj root;

        public Reference(FeatureStatistics s) {
            this(s.mean(), s.covariance());
        }

        Reference(double[] mu, double[] sigma) {
            int d = mu.length;
            this.mu = mu.clone();
            double t = 0;
            for (int i = 0; i < d; i++) {
                t += sigma[i * d + i];
            }
            this.trace = t;
            this.root = sqrtSymmetric(new DMatrixRMaj(d, d, true, sigma));
        }

        /** FD from the Gaussian (mean, covariance) to this one. */
        public double distance(double[] mean, double[] covariance) {
            int d = mu.length;
            if (mean.length != d) {
                throw new Get4jException("statistics of dimension " + mean.length + " and " + d + " cannot be compared");
            }
            double meanTerm = 0;
            double traceS = 0;
            for (int i = 0; i < d; i++) {
                double diff = mean[i] - mu[i];
                meanTerm += diff * diff;
                traceS += covariance[i * d + i];
            }
            DMatrixRMaj tmp = new DMatrixRMaj(d, d);
            DMatrixRMaj m = new DMatrixRMaj(d, d);
            CommonOps_DDRM.mult(root, new DMatrixRMaj(d, d, true, covariance), tmp);
            CommonOps_DDRM.mult(tmp, root, m);
            double traceRoot = 0;
            for (double lambda : symmetricEigenvalues(m)) {
                traceRoot += Math.sqrt(Math.max(lambda, 0));
            }
            return meanTerm + traceS + trace - 2 * traceRoot;
        }
    }

    /** S^(1/2) = V diag(sqrt(max(lambda, 0))) V^T of a symmetric matrix. */
    static DMatrixRMaj sqrtSymmetric(DMatrixRMaj s) {
        int d = s.numRows;
        EigenDecomposition_F64<DMatrixRMaj> eig = decompose(s, true);
        DMatrixRMaj out = new DMatrixRMaj(d, d);
        for (int k = 0; k < d; k++) {
            double root = Math.sqrt(Math.max(eig.getEigenvalue(k).getReal(), 0));
            DMatrixRMaj v = eig.getEigenVector(k);
            for (int i = 0; i < d; i++) {
                double vi = v.get(i, 0) * root;
                for (int j = 0; j < d; j++) {
                    out.add(i, j, vi * v.get(j, 0));
                }
            }
        }
        return out;
    }

    static double[] symmetricEigenvalues(DMatrixRMaj m) {
        EigenDecomposition_F64<DMatrixRMaj> eig = decompose(m, false);
        double[] values = new double[m.numRows];
        for (int k = 0; k < values.length; k++) {
            values[k] = eig.getEigenvalue(k).getReal();
        }
        return values;
    }

    private static EigenDecomposition_F64<DMatrixRMaj> decompose(DMatrixRMaj m, boolean vectors) {
        DMatrixRMaj sym = m.copy();
        int d = sym.numRows;
        for (int i = 0; i < d; i++) {
            for (int j = i + 1; j < d; j++) { // exact symmetry, as the symmetric solver assumes
                double v = 0.5 * (sym.get(i, j) + sym.get(j, i));
                sym.set(i, j, v);
                sym.set(j, i, v);
            }
        }
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, vectors, true);
        if (!eig.decompose(sym)) {
            throw new Get4jException("symmetric eigendecomposition did not converge (" + d + " x " + d + ")");
        }
        return eig;
    }
}
