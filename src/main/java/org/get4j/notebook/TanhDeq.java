package org.get4j.notebook;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Random;
import org.get4j.deq.Diagnostics;
import org.get4j.deq.FixedPointMap;
import org.get4j.deq.ImplicitGradient;
import org.get4j.deq.PhantomGradient;
import org.get4j.deq.Solver;
import org.get4j.deq.SolverConfig;
import org.get4j.deq.SolverKind;
import org.get4j.deq.SolverResult;
import org.get4j.runtime.Torch;

/**
 * A small equilibrium model for teaching and testing, in float64:
 *
 * <pre>  z* = f(z*) = tanh(z* W^T + x U^T + b),   L = sum(c * z*)</pre>
 *
 * W is symmetric with eigenvalues spread over [-rho, rho] (rho itself included), so its spectral radius is rho and
 * f is a contraction whenever rho < 1 (tanh is 1-Lipschitz). The injection x U^T and bias b are small (standard
 * deviation 0.1), which keeps tanh near its linear range: df/dz is close to W and its radius close to rho. The gradient of L with respect to W can be taken
 * three ways: by implicit differentiation, by the phantom gradient, and by central finite differences.
 */
public final class TanhDeq implements AutoCloseable {
    private final NDManager manager;
    private final int dim;
    private final double[] w;
    private final NDArray weight;
    private final NDArray injection;
    private final NDArray bias;
    private final NDArray c;
    private final int batch;

    private TanhDeq(NDManager parent, int dim, int batch, double[] w, double[] injection, double[] bias, double[] c) {
        this.manager = parent.newSubManager();
        this.dim = dim;
        this.batch = batch;
        this.w = w;
        this.weight = manager.create(w, new Shape(dim, dim));
        this.weight.setRequiresGradient(true);
        this.injection = manager.create(injection, new Shape(batch, dim));
        this.bias = manager.create(bias, new Shape(dim));
        this.c = manager.create(c, new Shape(batch, dim));
    }

    /** A random instance whose W has spectral radius {@code rho}. */
    public static TanhDeq random(NDManager manager, int dim, int batch, double rho, long seed) {
        Random r = new Random(seed);
        double[] eigs = new double[dim];
        for (int i = 0; i < dim; i++) {
            eigs[i] = dim == 1 ? rho : rho * (2.0 * i / (dim - 1) - 1);
        }
        double[][] q = orthonormal(dim, r);
        double[] w = new double[dim * dim];
        for (int i = 0; i < dim; i++) {
            for (int j = 0; j < dim; j++) {
                double s = 0;
                for (int k = 0; k < dim; k++) {
                    s += q[k][i] * eigs[k] * q[k][j];
                }
                w[i * dim + j] = s;
            }
        }
        return new TanhDeq(manager, dim, batch, w, scaled(gaussian(r, batch * dim), INPUT_SCALE),
                scaled(gaussian(r, dim), INPUT_SCALE), gaussian(r, batch * dim));
    }

    private static final double INPUT_SCALE = 0.1;

    private static double[] scaled(double[] v, double s) {
        for (int i = 0; i < v.length; i++) {
            v[i] *= s;
        }
        return v;
    }

    private static double[] gaussian(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextGaussian();
        }
        return v;
    }

    private static double[][] orthonormal(int d, Random r) {
        double[][] q = new double[d][];
        for (int i = 0; i < d; i++) {
            double[] v = gaussian(r, d);
            for (int k = 0; k < i; k++) {
                double dot = 0;
                for (int j = 0; j < d; j++) {
                    dot += v[j] * q[k][j];
                }
                for (int j = 0; j < d; j++) {
                    v[j] -= dot * q[k][j];
                }
            }
            double norm = 0;
            for (double x : v) {
                norm += x * x;
            }
            for (int j = 0; j < d; j++) {
                v[j] /= Math.sqrt(norm);
            }
            q[i] = v;
        }
        return q;
    }

    public int dim() {
        return dim;
    }

    /** f with the current W. */
    public FixedPointMap map() {
        return mapWith(weight);
    }

    private FixedPointMap mapWith(NDArray wArray) {
        return z -> {
            NDArray zIn = z.singletonOrThrow();
            NDArray wt = wArray.transpose();
            wt.attach(zIn.getManager()); // freed with the caller's state, not kept until this model closes
            NDArray out = zIn.matMul(wt).add(injection).add(bias).tanh();
            calls++;
            if (Torch.isGradEnabled()) {
                taped++; // recorded (W requires grad): its inputs and output stay in memory until backward
            }
            return new NDList(out);
        };
    }

    // Counted on the calling thread's grad mode: the model is meant for one thread, as a notebook uses it.
    private long calls;
    private long taped;

    /** Calls of f since the last {@link #resetCounts()}. */
    public long calls() {
        return calls;
    }

    /** Of those, the calls recorded on the autograd tape: each keeps its activations until backward. */
    public long taped() {
        return taped;
    }

    public void resetCounts() {
        calls = 0;
        taped = 0;
    }

    /** The starting state z0 = 0. */
    public NDList zeros() {
        return new NDList(manager.zeros(new Shape(batch, dim), DataType.FLOAT64));
    }

    /** Solves for z* from zero. */
    public SolverResult solve(SolverConfig config) {
        return Solver.of(config).solve(map(), zeros());
    }

    private static final SolverConfig EXACT = SolverConfig.builder().solver(SolverKind.BROYDEN).maxIter(500)
            .tol(1e-13).build();

    /** z* solved to 1e-13, as a detached copy owned by {@code m}. */
    private NDList exactEquilibrium(NDManager m) {
        try (SolverResult r = solve(EXACT)) {
            if (!r.converged()) {
                throw new IllegalStateException("z* did not reach " + EXACT.tol() + " in " + EXACT.maxIter()
                        + " Broyden steps (residual " + r.maxResidual(EXACT.stopMode()) + "): the model is too far "
                        + "from a contraction for an exact gradient");
            }
            NDList zStar = new NDList(r.state().singletonOrThrow().duplicate());
            zStar.attach(m);
            return zStar;
        }
    }

    /** dL/dW by implicit differentiation (forward and backward solved to 1e-13 by Broyden). */
    public double[] implicitGradient() {
        ImplicitGradient implicit = new ImplicitGradient(EXACT);
        try (NDManager m = manager.newSubManager(); GradientCollector gc = manager.getEngine().newGradientCollector()) {
            Torch.zeroGrad(weight);
            NDList zStar = exactEquilibrium(m);
            try (ImplicitGradient.Step step = implicit.at(map(), zStar, List.of(weight))) {
                step.backward(step.state().singletonOrThrow().mul(c).sum());
            }
        }
        return gradient();
    }

    /** W's gradient as a Java array (the gradient array DJL hands out is closed at once). */
    private double[] gradient() {
        try (NDArray g = weight.getGradient()) {
            return g.toDoubleArray();
        }
    }

    /** dL/dW by the phantom gradient: k damped steps from the exact z*, back-propagated. */
    public double[] phantomGradient(int k, double tau) {
        try (NDManager m = manager.newSubManager(); GradientCollector gc = manager.getEngine().newGradientCollector()) {
            Torch.zeroGrad(weight);
            NDList zStar = exactEquilibrium(m);
            NDArray zk = PhantomGradient.step(map(), zStar, k, tau).singletonOrThrow();
            gc.backward(zk.mul(c).sum());
        }
        return gradient();
    }

    /**
     * dL/dW by full back-propagation through {@code k} plain iterations from z0 = 0: what an autodiff framework does
     * with an unrolled solver. Every iteration stays on the tape, so memory grows with k; the error against the
     * exact gradient shrinks like rho^k only once the forward iterate has converged.
     */
    public double[] unrolledGradient(int k) {
        try (NDManager m = manager.newSubManager(); GradientCollector gc = manager.getEngine().newGradientCollector()) {
            Torch.zeroGrad(weight);
            NDList z = zeros();
            z.attach(m);
            for (int i = 0; i < k; i++) {
                z = map().apply(z);
            }
            gc.backward(z.singletonOrThrow().mul(c).sum());
        }
        return gradient();
    }

    /**
     * Fits z* to {@code targets} (batch x dim, row-major) by {@code steps} of gradient descent on W with the implicit
     * gradient, minimising mean((z* - t)^2) + gamma ||J||_F^2 / dim (Hutchinson's estimate with seeded probes,
     * {@link Diagnostics#jacobianPenalty}). Returns the task loss of the fitted model. W is changed in place: afterwards
     * every other method sees the fitted model.
     */
    public double fit(double[] targets, double gamma, int steps, double lr, long seed) {
        Random probes = new Random(seed);
        ImplicitGradient implicit = new ImplicitGradient(EXACT);
        for (int s = 0; s < steps; s++) {
            try (NDManager m = manager.newSubManager();
                    GradientCollector gc = manager.getEngine().newGradientCollector()) {
                Torch.zeroGrad(weight);
                NDArray t = m.create(targets, new Shape(batch, dim));
                NDList zStar = exactEquilibrium(m);
                try (ImplicitGradient.Step step = implicit.at(map(), zStar, List.of(weight))) {
                    step.backward(step.state().singletonOrThrow().sub(t).square().mean());
                }
                if (gamma > 0) {
                    NDArray probe = m.create(gaussian(probes, batch * dim), new Shape(batch, dim));
                    NDArray penalty = Diagnostics.jacobianPenalty(map(), zStar, List.of(weight), probe);
                    gc.backward(penalty.mul(Torch.constant(penalty, gamma)));
                }
                try (Torch.GradMode off = Torch.noGrad()) {
                    NDArray g = weight.getGradient();
                    g.attach(m);
                    weight.subi(g.mul(lr));
                }
            }
        }
        System.arraycopy(weight.toDoubleArray(), 0, w, 0, w.length);
        try (NDManager m = manager.newSubManager()) { // the loss of the fitted model, after the last update
            NDArray t = m.create(targets, new Shape(batch, dim));
            return exactEquilibrium(m).singletonOrThrow().sub(t).square().mean().getDouble();
        }
    }

    /** dL/dW[i] by central finite differences with step h, each side solved to 1e-13. */
    public double finiteDifference(int i, double h) {
        return (lossAt(i, h) - lossAt(i, -h)) / (2 * h);
    }

    private double lossAt(int i, double delta) {
        double[] shifted = w.clone();
        shifted[i] += delta;
        try (NDManager m = manager.newSubManager()) {
            NDArray wArray = m.create(shifted, new Shape(dim, dim));
            try (SolverResult r = Solver.of(EXACT).solve(mapWith(wArray), zeros())) {
                return r.state().singletonOrThrow().mul(c).sum().getDouble();
            }
        }
    }

    /** The spectral radius of df/dz at z*, per sample, by power iteration. */
    public double[] jacobianSpectralRadius(int iterations) {
        try (SolverResult r = solve(EXACT)) {
            return Diagnostics.spectralRadius(map(), r.state(), List.of(weight), iterations, 0);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
