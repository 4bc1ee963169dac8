package org.get4j.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.get4j.Get4jException;
import org.get4j.data.ImageSet;
import org.get4j.io.Checksums;
import org.get4j.io.HostTensor;
import org.get4j.io.SafeTensors;
import org.get4j.runtime.Torch;

/**
 * The analytic teacher: one Gaussian per class, N(mu_k, S_k) with S_k = U_k diag(lambda_k) U_k^T + s_k^2 I
 * (probabilistic PCA: the top r principal directions, the rest isotropic), mixed with the class frequencies.
 * Its denoiser is the exact posterior mean, so the probability-flow ODE it defines is known exactly:
 *
 * <pre>
 *   D_k(x; sigma) = x - sigma^2 (S_k + sigma^2 I)^{-1} (x - mu_k)
 *   D(x; sigma)   = sum_k r_k(x) D_k(x; sigma),   r_k proportional to pi_k N(x; mu_k, S_k + sigma^2 I)
 * </pre>
 *
 * With a label only that class's Gaussian is used. (S + c I)^{-1} comes from the Woodbury identity, so each call
 * costs O(D r) per sample and component. Computed in float64.
 */
public final class GaussianMixtureTeacher implements Denoiser, AutoCloseable {
    private final NDManager manager;
    private final int channels;
    private final int size;
    private final int classes;
    private final int rank;
    private final NDArray means; // (K, D)
    private final NDArray bases; // (K, D, r)
    private final NDArray lambdas; // (K, r)
    private final double[] isotropic; // s_k^2
    private final double[] logWeights; // log pi_k
    private final String identity;

    private GaussianMixtureTeacher(NDManager parent, int channels, int size, int rank, double[] means, double[] bases,
            double[] lambdas, double[] isotropic, double[] weights) {
        this.manager = parent.newSubManager();
        this.channels = channels;
        this.size = size;
        this.classes = weights.length;
        this.rank = rank;
        int d = channels * size * size;
        this.means = manager.create(means, new Shape(classes, d));
        this.bases = manager.create(bases, new Shape(classes, d, rank));
        this.lambdas = manager.create(lambdas, new Shape(classes, rank));
        this.isotropic = isotropic.clone();
        this.logWeights = new double[classes];
        for (int k = 0; k < classes; k++) {
            logWeights[k] = Math.log(weights[k]);
        }
        this.identity = "gaussian-mixture(classes=" + classes + ", rank=" + rank + ", sha256="
                + Checksums.sha256(bytes(means, bases, lambdas, isotropic, weights)) + ")";
    }

    private static byte[] bytes(double[]... arrays) {
        int n = 0;
        for (double[] a : arrays) {
            n += a.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double[] a : arrays) {
            for (double v : a) {
                b.putDouble(v);
            }
        }
        return b.array();
    }

    /** A mixture from explicit parameters (for tests and teaching): bases (K, D, r) row-major, orthonormal columns. */
    public static GaussianMixtureTeacher of(NDManager manager, int channels, int size, int rank, double[] means,
            double[] bases, double[] lambdas, double[] isotropic, double[] weights) {
        return new GaussianMixtureTeacher(manager, channels, size, rank, means, bases, lambdas, isotropic, weights);
    }

    /**
     * A tiny unconditional mixture on 1 x 16 x 16 images, instant to sample: two components around a smooth
     * pattern, each with one principal direction (pixels 0 and 3). For tests and demonstrations.
     */
    public static GaussianMixtureTeacher toy(NDManager manager) {
        int d = 256;
        double[] means = new double[d];
        double[] bases = new double[d * 2];
        for (int i = 0; i < d; i++) {
            means[i] = Math.sin(i / 10.0) * 0.5;
        }
        bases[0] = 1;
        bases[3 * 2 + 1] = 1;
        return of(manager, 1, 16, 2, means, bases, new double[] {0.4, 0.2}, new double[] {0.01}, new double[] {1});
    }

    /**
     * Fits one Gaussian per class to images in [-1, 1] (probabilistic PCA with {@code rank} directions; the
     * remaining variance, floored at 1e-4, is isotropic). Weights are the class frequencies.
     */
    public static GaussianMixtureTeacher fit(NDManager manager, ImageSet images, int numClasses, int rank) {
        int d = images.imageSize();
        if (rank < 0 || rank >= d) {
            throw new Get4jException("rank must be in [0, " + (d - 1) + "], got " + rank);
        }
        int[] counts = images.classCounts(numClasses);
        double[] means = new double[numClasses * d];
        double[] bases = new double[numClasses * d * rank];
        double[] lambdas = new double[numClasses * rank];
        double[] iso = new double[numClasses];
        double[] weights = new double[numClasses];
        for (int k = 0; k < numClasses; k++) {
            if (counts[k] < 2) {
                throw new Get4jException(images.name() + ": class " + k + " has " + counts[k] + " images; need 2");
            }
            weights[k] = (double) counts[k] / images.size();
            double[][] x = new double[counts[k]][];
            int row = 0;
            for (int i = 0; i < images.size(); i++) {
                if (images.label(i) == k) {
                    double[] v = new double[d];
                    byte[] px = images.pixels(i, i + 1);
                    for (int j = 0; j < d; j++) {
                        v[j] = (px[j] & 0xff) / 127.5 - 1;
                    }
                    x[row++] = v;
                }
            }
            double[] mean = new double[d];
            for (double[] v : x) {
                for (int j = 0; j < d; j++) {
                    mean[j] += v[j] / x.length;
                }
            }
            System.arraycopy(mean, 0, means, k * d, d);
            double[] cov = covariance(manager, x, mean);
            double trace = 0;
            for (int j = 0; j < d; j++) {
                trace += cov[j * d + j];
            }
            Eigen top = topEigenpairs(manager, cov, d, rank, 1000 + k);
            double captured = 0;
            for (double v : top.values()) {
                captured += Math.max(v, 0);
            }
            double s2 = Math.max((trace - captured) / (d - rank), 1e-4);
            iso[k] = s2;
            for (int j = 0; j < rank; j++) {
                lambdas[k * rank + j] = Math.max(top.values()[j] - s2, 0);
                for (int i = 0; i < d; i++) {
                    bases[(k * d + i) * rank + j] = top.vectors()[i * rank + j];
                }
            }
        }
        return new GaussianMixtureTeacher(manager, images.channels(), images.height(), rank, means, bases, lambdas,
                iso, weights);
    }

    /** The top r eigenvalues (descending) and eigenvectors (d x r, row-major) of a symmetric matrix. */
    private record Eigen(double[] values, double[] vectors) {}

    /**
     * Top-r eigenpairs of a symmetric d x d matrix by orthogonal (subspace) iteration from a seeded start, then a
     * Rayleigh-Ritz step: cheap and deterministic where a full d x d decomposition is slow.
     */
    private static Eigen topEigenpairs(NDManager manager, double[] matrix, int d, int r, long seed) {
        if (r == 0) {
            return new Eigen(new double[0], new double[0]);
        }
        java.util.Random random = new java.util.Random(seed);
        double[] start = new double[d * r];
        for (int i = 0; i < start.length; i++) {
            start[i] = random.nextGaussian();
        }
        try (NDManager m = manager.newSubManager(); Torch.GradMode noGrad = Torch.noGrad()) {
            NDArray c = m.create(matrix, new Shape(d, d));
            double[] q = orthonormalColumns(start, d, r);
            for (int it = 0; it < 300; it++) {
                q = orthonormalColumns(c.matMul(m.create(q, new Shape(d, r))).toDoubleArray(), d, r);
            }
            NDArray qa = m.create(q, new Shape(d, r));
            double[] small = qa.transpose().matMul(c).matMul(qa).toDoubleArray(); // r x r
            DMatrixRMaj t = new DMatrixRMaj(r, r, true, small);
            EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(r, true, true);
            if (!eig.decompose(t)) {
                throw new Get4jException("Rayleigh-Ritz eigendecomposition failed");
            }
            Integer[] order = new Integer[r];
            double[] values = new double[r];
            for (int j = 0; j < r; j++) {
                order[j] = j;
                values[j] = eig.getEigenvalue(j).getReal();
            }
            java.util.Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
            double[] rotation = new double[r * r];
            double[] sorted = new double[r];
            for (int j = 0; j < r; j++) {
                sorted[j] = values[order[j]];
                DMatrixRMaj v = eig.getEigenVector(order[j]);
                for (int i = 0; i < r; i++) {
                    rotation[i * r + j] = v.get(i, 0);
                }
            }
            double[] vectors = qa.matMul(m.create(rotation, new Shape(r, r))).toDoubleArray();
            return new Eigen(sorted, vectors);
        }
    }

    /** Gram-Schmidt (twice, for stability) on the columns of a d x r row-major matrix. */
    private static double[] orthonormalColumns(double[] a, int d, int r) {
        double[] q = a.clone();
        for (int pass = 0; pass < 2; pass++) {
            for (int j = 0; j < r; j++) {
                for (int k = 0; k < j; k++) {
                    double dot = 0;
                    for (int i = 0; i < d; i++) {
                        dot += q[i * r + j] * q[i * r + k];
                    }
                    for (int i = 0; i < d; i++) {
                        q[i * r + j] -= dot * q[i * r + k];
                    }
                }
                double norm = 0;
                for (int i = 0; i < d; i++) {
                    norm += q[i * r + j] * q[i * r + j];
                }
                norm = Math.sqrt(norm);
                for (int i = 0; i < d; i++) {
                    q[i * r + j] = norm > 0 ? q[i * r + j] / norm : 0;
                }
            }
        }
        return q;
    }

    /** Unbiased covariance (N - 1) of rows, via a float64 matrix product on the engine. */
    private static double[] covariance(NDManager manager, double[][] rows, double[] mean) {
        int n = rows.length;
        int d = mean.length;
        double[] centered = new double[n * d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                centered[i * d + j] = rows[i][j] - mean[j];
            }
        }
        try (NDManager m = manager.newSubManager(); Torch.GradMode noGrad = Torch.noGrad()) {
            NDArray a = m.create(centered, new Shape(n, d));
            return a.transpose().matMul(a).divi(n - 1).toDoubleArray();
        }
    }

    @Override
    public NDArray denoise(NDArray x, NDArray sigma, NDArray labels) {
        DataType type = x.getDataType();
        Shape shape = x.getShape();
        long batch = shape.get(0);
        int d = channels * size * size;
        try (NDScope scope = new NDScope(); Torch.GradMode noGrad = Torch.noGrad()) {
            NDArray flat = x.toType(DataType.FLOAT64, false).reshape(batch, d);
            NDArray s2 = sigma.toType(DataType.FLOAT64, false).reshape(batch, 1).square();
            NDArray result;
            if (labels != null) {
                long[] ys = labels.toType(DataType.INT64, false).toLongArray();
                NDList rows = new NDList();
                for (int b = 0; b < batch; b++) {
                    int k = checkLabel(ys[b]);
                    rows.add(component(flat.get(b).reshape(1, d), s2.get(b).reshape(1, 1), k).posterior);
                }
                result = ai.djl.ndarray.NDArrays.concat(rows, 0);
            } else {
                NDList logps = new NDList();
                NDList posteriors = new NDList();
                for (int k = 0; k < classes; k++) {
                    Component c = component(flat, s2, k);
                    logps.add(c.logDensity.add(logWeights[k]));
                    posteriors.add(c.posterior.expandDims(1));
                }
                NDArray responsibilities = ai.djl.ndarray.NDArrays.stack(logps, 1).softmax(1); // (B, K)
                result = responsibilities.expandDims(1).batchMatMul(ai.djl.ndarray.NDArrays.concat(posteriors, 1))
                        .reshape(batch, d);
            }
            NDArray out = result.reshape(shape).toType(type, false);
            NDScope.unregister(out);
            return out;
        }
    }

    private int checkLabel(long y) {
        if (y < 0 || y >= classes) {
            throw new Get4jException("label " + y + " outside 0.." + (classes - 1));
        }
        return (int) y;
    }

    private record Component(NDArray posterior, NDArray logDensity) {}

    /** Posterior mean and log N(x; mu_k, S_k + sigma^2 I) (up to the shared constant) of component k. */
    private Component component(NDArray x, NDArray s2, int k) {
        int d = channels * size * size;
        NDArray diff = x.sub(means.get(k)); // (B, D)
        NDArray c = s2.add(isotropic[k]); // (B, 1): s_k^2 + sigma^2
        NDArray inv;
        NDArray logDet;
        if (rank > 0) {
            NDArray u = bases.get(k); // (D, r)
            NDArray lam = lambdas.get(k).reshape(1, rank);
            NDArray proj = diff.matMul(u); // (B, r)
            NDArray shrink = lam.div(lam.add(c)); // lambda / (lambda + c)
            inv = diff.sub(proj.mul(shrink).matMul(u.transpose())).div(c);
            logDet = c.log().mul(d).add(lam.div(c).add(1).log().sum(new int[] {1}, true));
        } else {
            inv = diff.div(c);
            logDet = c.log().mul(d);
        }
        NDArray maha = diff.mul(inv).sum(new int[] {1}, true);
        NDArray logDensity = maha.add(logDet).mul(-0.5).reshape(-1);
        NDArray posterior = x.sub(inv.mul(s2));
        return new Component(posterior, logDensity);
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int imageSize() {
        return size;
    }

    /** The mixture has one component per class; labels are optional (unconditional: the full mixture). */
    @Override
    public int numClasses() {
        return classes;
    }

    @Override
    public String identity() {
        return identity;
    }

    /** Saves the parameters as safetensors (float64) with their shapes in metadata. */
    public void save(Path file) {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("means", HostTensor.of(means));
        t.put("bases", HostTensor.of(bases));
        t.put("lambdas", HostTensor.of(lambdas));
        double[] w = new double[classes];
        for (int k = 0; k < classes; k++) {
            w[k] = Math.exp(logWeights[k]);
        }
        t.put("isotropic", HostTensor.ofDoubles(isotropic, isotropic.length));
        t.put("weights", HostTensor.ofDoubles(w, w.length));
        SafeTensors.write(file, t, Map.of("get4j.teacher", "gaussian-mixture", "channels", "" + channels,
                "image_size", "" + size, "rank", "" + rank));
    }


    public static GaussianMixtureTeacher load(NDManager manager, Path file) {
        SafeTensors.Contents c = SafeTensors.read(file);
        if (!"gaussian-mixture".equals(c.metadata().get("get4j.teacher"))) {
            throw new Get4jException(file + " is not a get4j Gaussian-mixture teacher");
        }
        Map<String, HostTensor> t = c.tensors();
        return new GaussianMixtureTeacher(manager, Integer.parseInt(c.metadata().get("channels")),
                Integer.parseInt(c.metadata().get("image_size")), Integer.parseInt(c.metadata().get("rank")),
                t.get("means").toDoubleArray(), t.get("bases").toDoubleArray(), t.get("lambdas").toDoubleArray(),
                t.get("isotropic").toDoubleArray(), t.get("weights").toDoubleArray());
    }

    @Override
    public void close() {
        manager.close();
    }
}
