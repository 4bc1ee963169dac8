package org.get4j.deq;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import org.get4j.runtime.Torch;

/** Jacobian diagnostics of a fixed-point map at a state: the Frobenius-norm penalty and the spectral radius. */
public final class Diagnostics {
    private Diagnostics() {}

    /**
     * Hutchinson's estimate of ||J||_F^2 / dim, averaged over the batch, as a differentiable scalar for training:
     * with v ~ N(0, I), E ||v^T J||^2 = ||J||_F^2 per sample, so the estimate is sum ||v^T J||^2 / (B D).
     * A contractive J (small norm) keeps the equilibrium well-posed and the solver fast. Call inside a
     * GradientCollector and add the result, times a weight, to the loss; {@code parameters} are the model's
     * parameter arrays (their gradients are left as they were). {@code probe} is v, or null for a fresh draw.
     */
    public static NDArray jacobianPenalty(FixedPointMap f, NDList z, List<NDArray> parameters, NDArray probe) {
        if (!Torch.isGradEnabled()) {
            throw new IllegalStateException("jacobianPenalty needs grad mode: call it inside a GradientCollector");
        }
        StatePacking packing = new StatePacking(z);
        NDArray zLeaf = packing.flatten(z).stopGradient().duplicate();
        zLeaf.setRequiresGradient(true);
        NDArray fz = packing.flatten(f.apply(packing.unflatten(zLeaf)));
        NDArray v = probe != null ? probe.reshape(fz.getShape()) : fz.getManager().randomNormal(fz.getShape(), fz.getDataType());
        try (GradientSnapshot snapshot = GradientSnapshot.take(parameters)) {
            Torch.backward(fz, v, true, true);
            snapshot.restore();
        }
        NDArray vJ = zLeaf.getGradient();
        NDArray sumOfSquares = vJ.square().sum();
        return sumOfSquares.div(Torch.constant(sumOfSquares, fz.getShape().size()));
    }

    /**
     * The spectral radius of J = df/dz at z for each sample, by {@code iterations} steps of power iteration
     * with vector-Jacobian products (J and J^T share their eigenvalues). Converges to |lambda_max| when the
     * dominant eigenvalue is real and simple; a map is locally contractive, and fixed-point iteration converges
     * near z, when the radius is below 1. Records no graph for the caller; parameter gradients are unchanged.
     */
    public static double[] spectralRadius(FixedPointMap f, NDList z, List<NDArray> parameters, int iterations,
            long seed) {
        if (iterations < 1) {
            throw new IllegalArgumentException("power iteration needs at least 1 iteration, got " + iterations);
        }
        StatePacking packing = new StatePacking(z);
        NDManager manager = z.get(0).getManager();
        try (NDManager work = manager.newSubManager(); Torch.GradMode grad = Torch.withGrad();
                GradientSnapshot snapshot = GradientSnapshot.take(parameters)) {
            NDArray zLeaf;
            try (NDScope scope = new NDScope()) {
                zLeaf = packing.flatten(z).stopGradient().duplicate();
                NDScope.unregister(zLeaf);
            }
            zLeaf.attach(work);
            zLeaf.setRequiresGradient(true);
            NDArray fz = packing.flatten(f.apply(packing.unflatten(zLeaf)));
            // The probe comes from its own generator: a diagnostic must not move the training RNG.
            java.util.Random random = new java.util.Random(seed);
            float[] probe = new float[Math.toIntExact(fz.getShape().size())];
            for (int i = 0; i < probe.length; i++) {
                probe[i] = (float) random.nextGaussian();
            }
            NDArray v = work.create(probe, fz.getShape()).toType(fz.getDataType(), false);
            v = v.div(v.norm(new int[] {1}, true));
            double[] radius = null;
            for (int k = 0; k < iterations; k++) {
                try (NDScope scope = new NDScope()) {
                    if (zLeaf.hasGradient()) {
                        try {
                            Torch.zeroGrad(zLeaf);
                        } catch (IllegalStateException ignored) {
                            // first product: no gradient yet
                        }
                    }
                    Torch.backward(fz, v, true, false);
                    NDArray w = zLeaf.getGradient().duplicate();
                    NDArray norm = w.norm(new int[] {1}, true);
                    radius = norm.toType(DataType.FLOAT64, false).toDoubleArray();
                    NDArray next = w.div(norm.add(1e-30));
                    NDScope.unregister(next);
                    v = next;
                }
            }
            snapshot.restore();
            return radius;
        }
    }
}
