package org.get4j.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.get4j.Get4jException;
import org.get4j.io.HostTensor;
import org.get4j.runtime.Torch;

/**
 * Mean and unbiased covariance of feature vectors in float64, accumulated as (count, sum, sum of outer products)
 * so that batches, partitions or machines can be merged exactly. Saved and loaded as {@code .npz} with {@code mu}
 * (D,) and {@code sigma} (D, D), the format pytorch-fid, clean-fid and EDM share.
 */
public final class FeatureStatistics {
    private final int dim;
    private long count;
    private final double[] sum;
    private final double[] outer; // D x D, row-major
    private double[] fixedMean;
    private double[] fixedCov;

    public FeatureStatistics(int dim) {
        this.dim = dim;
        this.sum = new double[dim];
        this.outer = new double[dim * dim];
    }

    private FeatureStatistics(double[] mean, double[] cov) {
        this.dim = mean.length;
        this.sum = null;
        this.outer = null;
        this.fixedMean = mean;
        this.fixedCov = cov;
    }

    /** Statistics given directly (as loaded from a file). */
    public static FeatureStatistics of(double[] mean, double[] covariance) {
        if (covariance.length != (long) mean.length * mean.length) {
            throw new Get4jException("covariance of " + covariance.length + " values does not match a mean of "
                    + mean.length);
        }
        return new FeatureStatistics(mean.clone(), covariance.clone());
    }

    public int dim() {
        return dim;
    }

    public long count() {
        return count;
    }

    /** Adds a batch of features (N, D), any float type; the outer products are summed in float64 on the engine. */
    public FeatureStatistics add(NDArray features) {
        requireAccumulating();
        if (features.getShape().dimension() != 2 || features.getShape().get(1) != dim) {
            throw new Get4jException("features of shape " + features.getShape() + ", expected (N, " + dim + ")");
        }
        try (NDManager m = features.getManager().newSubManager(); Torch.GradMode noGrad = Torch.noGrad()) {
            NDArray x = features.toType(DataType.FLOAT64, true);
            x.attach(m);
            double[] s = x.sum(new int[] {0}).toDoubleArray();
            double[] o = x.transpose().matMul(x).toDoubleArray();
            for (int i = 0; i < dim; i++) {
                sum[i] += s[i];
            }
            for (int i = 0; i < o.length; i++) {
                outer[i] += o[i];
            }
            count += features.getShape().get(0);
        }
        return this;
    }

    /**
     * The raw sums, serialisable, so partial statistics can travel between processes (a Spark task's result) and
     * be merged where they arrive.
     */
    public record Sums(int dim, long count, double[] sum, double[] outer) implements java.io.Serializable {}

    public Sums sums() {
        requireAccumulating();
        return new Sums(dim, count, sum.clone(), outer.clone());
    }

    /** An accumulator holding the given sums (merge more into it). */
    public static FeatureStatistics ofSums(Sums s) {
        if (s.sum().length != s.dim() || s.outer().length != (long) s.dim() * s.dim()) {
            throw new Get4jException("sums of dimension " + s.dim() + " hold " + s.sum().length + " and "
                    + s.outer().length + " values");
        }
        FeatureStatistics f = new FeatureStatistics(s.dim());
        System.arraycopy(s.sum(), 0, f.sum, 0, s.dim());
        System.arraycopy(s.outer(), 0, f.outer, 0, s.outer().length);
        f.count = s.count();
        return f;
    }

    /** Adds another accumulator's sums (exact: the result equals accumulating both inputs here). */
    public FeatureStatistics merge(FeatureStatistics other) {
        requireAccumulating();
        other.requireAccumulating();
        if (other.dim != dim) {
            throw new Get4jException("cannot merge statistics of dimension " + other.dim + " into " + dim);
        }
        for (int i = 0; i < dim; i++) {
            sum[i] += other.sum[i];
        }
        for (int i = 0; i < outer.length; i++) {
            outer[i] += other.outer[i];
        }
        count += other.count;
        return this;
    }

    private void requireAccumulating() {
        if (sum == null) {
            throw new IllegalStateException("these statistics were loaded, not accumulated");
        }
    }

    public double[] mean() {
        if (fixedMean != null) {
            return fixedMean.clone();
        }
        double[] mu = new double[dim];
        for (int i = 0; i < dim; i++) {
            mu[i] = sum[i] / count;
        }
        return mu;
    }

    /** Unbiased covariance (N - 1), row-major D x D: (sum x x^T - N mu mu^T) / (N - 1). */
    public double[] covariance() {
        if (fixedCov != null) {
            return fixedCov.clone();
        }
        if (count < 2) {
            throw new Get4jException("a covariance needs at least 2 samples, got " + count);
        }
        double[] mu = mean();
        double[] c = new double[dim * dim];
        for (int i = 0; i < dim; i++) {
            for (int j = 0; j < dim; j++) {
                c[i * dim + j] = (outer[i * dim + j] - count * mu[i] * mu[j]) / (count - 1);
            }
        }
        return c;
    }

    /** Writes {@code mu} and {@code sigma} (float64) as an .npz file. */
    public void save(Path file) {
        Map<String, HostTensor> arrays = new LinkedHashMap<>();
        arrays.put("mu", HostTensor.ofDoubles(mean(), dim));
        arrays.put("sigma", HostTensor.ofDoubles(covariance(), dim, dim));
        Npz.write(file, arrays);
    }

    public static FeatureStatistics load(Path file) {
        Map<String, HostTensor> arrays = Npz.read(file);
        HostTensor mu = arrays.get("mu");
        HostTensor sigma = arrays.get("sigma");
        if (mu == null || sigma == null) {
            throw new Get4jException(file + " has no 'mu' and 'sigma' arrays (found " + arrays.keySet() + ")");
        }
        if (mu.shape().length != 1 || sigma.shape().length != 2 || sigma.shape()[0] != mu.shape()[0]
                || sigma.shape()[1] != mu.shape()[0]) {
            throw new Get4jException(file + ": mu " + java.util.Arrays.toString(mu.shape()) + " and sigma "
                    + java.util.Arrays.toString(sigma.shape()) + " do not fit together");
        }
        return of(mu.toDoubleArray(), sigma.toDoubleArray());
    }

}
