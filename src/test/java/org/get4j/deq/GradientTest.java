package org.get4j.deq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Random;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Gradients through equilibria against closed forms and central finite differences (float64). */
class GradientTest {
    private static final int B = 3;
    private static final int D = 5;
    private static final int X = 4;

    private NDManager manager;
    private double[] w;
    private double[] u;
    private double[] bias;
    private double[] x;
    private double[] p;
    private double[] c;

    @BeforeEach
    void setUp() {
        manager = TorchRuntime.newManager();
        Random r = new Random(42);
        w = gaussian(r, D * D, 0.6 / Math.sqrt(D)); // ||W|| well below 1: tanh(Wz + .) contracts
        u = gaussian(r, D * X, 1.0);
        bias = gaussian(r, D, 0.5);
        x = gaussian(r, B * X, 1.0);
        p = gaussian(r, 2 * D, 1.0);
        c = gaussian(r, B * 2, 1.0);
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private static double[] gaussian(Random r, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = scale * r.nextGaussian();
        }
        return v;
    }

    /** Parameters as float64 leaves: W (D, D), U (D, X), b (D), P (2, D) acting after z*. */
    private List<NDArray> parameters() {
        NDArray wa = manager.create(w, new Shape(D, D));
        NDArray ua = manager.create(u, new Shape(D, X));
        NDArray ba = manager.create(bias, new Shape(D));
        NDArray pa = manager.create(p, new Shape(2, D));
        for (NDArray a : List.of(wa, ua, ba, pa)) {
            a.setRequiresGradient(true);
        }
        return List.of(wa, ua, ba, pa);
    }

    /** f(z) = tanh(z W^T + x U^T + b): the injection x U^T is computed once, outside f. */
    private static FixedPointMap tanhDeq(List<NDArray> params, NDArray injection) {
        NDArray wa = params.get(0);
        NDArray ba = params.get(2);
        return z -> new NDList(z.singletonOrThrow().matMul(wa.transpose()).add(injection).add(ba).tanh());
    }

    /** L = sum(c * (z* P^T)). */
    private NDArray loss(NDArray z, NDArray pa) {
        return z.matMul(pa.transpose()).mul(manager.create(c, new Shape(B, 2))).sum();
    }

    private static final SolverConfig TIGHT = SolverConfig.builder().solver(SolverKind.BROYDEN).maxIter(200)
            .tol(1e-14).build();

    /** The loss at the equilibrium, all in no-grad, for finite differences. */
    private double lossValue() {
        try (NDManager m = manager.newSubManager()) {
            NDArray wa = m.create(w, new Shape(D, D));
            NDArray ua = m.create(u, new Shape(D, X));
            NDArray ba = m.create(bias, new Shape(D));
            NDArray pa = m.create(p, new Shape(2, D));
            NDArray inj = m.create(x, new Shape(B, X)).matMul(ua.transpose());
            FixedPointMap f = z -> new NDList(z.singletonOrThrow().matMul(wa.transpose()).add(inj).add(ba).tanh());
            try (SolverResult r = Solver.of(TIGHT).solve(f, new NDList(m.zeros(new Shape(B, D), DataType.FLOAT64)))) {
                assertTrue(r.converged());
                return r.state().singletonOrThrow().matMul(pa.transpose()).mul(m.create(c, new Shape(B, 2)))
                        .sum().getDouble();
            }
        }
    }

    private double centralDifference(double[] theta, int i) {
        double h = 1e-5;
        double keep = theta[i];
        theta[i] = keep + h;
        double plus = lossValue();
        theta[i] = keep - h;
        double minus = lossValue();
        theta[i] = keep;
        return (plus - minus) / (2 * h);
    }

    @Test
    void implicitGradientEqualsCentralFiniteDifferences() {
        List<NDArray> params = parameters();
        ImplicitGradient implicit = new ImplicitGradient(SolverConfig.builder().solver(SolverKind.ANDERSON)
                .maxIter(200).tol(1e-13).lambda(1e-14).build());
        try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
            NDArray inj = manager.create(x, new Shape(B, X)).matMul(params.get(1).transpose());
            FixedPointMap f = tanhDeq(params, inj);
            NDList zStar;
            try (SolverResult r = Solver.of(TIGHT).solve(f, new NDList(manager.zeros(new Shape(B, D), DataType.FLOAT64)))) {
                zStar = new NDList(r.state().singletonOrThrow().duplicate());
            }
            try (ImplicitGradient.Step step = implicit.at(f, zStar, params)) {
                SolverResult back = step.backward(loss(step.state().singletonOrThrow(), params.get(3)));
                assertTrue(back.converged(), "backward solve residual " + back.maxResidual(StopMode.ABS));
            }
        }
        double[][] thetas = {w, u, bias, p};
        String[] names = {"W", "U", "b", "P"};
        for (int t = 0; t < thetas.length; t++) {
            double[] grad = params.get(t).getGradient().toDoubleArray();
            for (int i = 0; i < thetas[t].length; i++) {
                double fd = centralDifference(thetas[t], i);
                assertEquals(fd, grad[i], 1e-6 * Math.max(1, Math.abs(fd)), names[t] + "[" + i + "]");
            }
        }
    }

    @Test
    void aStepClosedWithoutBackwardIsAnError() {
        List<NDArray> params = parameters();
        ImplicitGradient implicit = new ImplicitGradient(SolverConfig.reference());
        try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
            NDArray inj = manager.create(x, new Shape(B, X)).matMul(params.get(1).transpose());
            NDList z = new NDList(manager.zeros(new Shape(B, D), DataType.FLOAT64));
            ImplicitGradient.Step step = implicit.at(tanhDeq(params, inj), z, params);
            IllegalStateException e = assertThrows(IllegalStateException.class, step::close);
            assertTrue(e.getMessage().contains("without backward"), e.getMessage());
        }
        assertThrows(IllegalStateException.class, () -> implicit.at(z -> z,
                new NDList(manager.zeros(new Shape(1, 1))), List.of()), "outside a collector");
    }

    @Test
    void phantomGradientWithOneStepEqualsItsClosedForm() {
        double tau = 0.7;
        List<NDArray> params = parameters();
        NDArray zStar = manager.create(gaussian(new Random(3), B * D, 1.0), new Shape(B, D));
        double[] z = zStar.toDoubleArray();
        double[] xb = manager.create(x, new Shape(B, X)).matMul(params.get(1).transpose()).toDoubleArray();
        double[] cz = gaussian(new Random(4), B * D, 1.0);
        try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
            NDArray inj = manager.create(xb, new Shape(B, D));
            NDArray z1 = PhantomGradient.step(tanhDeq(params, inj), new NDList(zStar), 1, tau).singletonOrThrow();
            gc.backward(z1.mul(manager.create(cz, new Shape(B, D))).sum());
        }
        // dL/dW[i][j] = tau sum_b cz[b,i] (1 - f[b,i]^2) z*[b,j],  f = tanh(z* W^T + xU^T + b)
        double[] expected = new double[D * D];
        for (int b = 0; b < B; b++) {
            for (int i = 0; i < D; i++) {
                double pre = xb[b * D + i] + bias[i];
                for (int j = 0; j < D; j++) {
                    pre += z[b * D + j] * w[i * D + j];
                }
                double f = Math.tanh(pre);
                for (int j = 0; j < D; j++) {
                    expected[i * D + j] += tau * cz[b * D + i] * (1 - f * f) * z[b * D + j];
                }
            }
        }
        assertArrayEquals(expected, params.get(0).getGradient().toDoubleArray(), 1e-12);
    }

    @Test
    void unrolledStepsEqualExplicitUnrolling() {
        double tau = 0.8;
        int k = 4;
        NDArray zStar = manager.create(gaussian(new Random(5), B * D, 1.0), new Shape(B, D));
        double[] phantomStates;
        double[] phantomGrad;
        List<NDArray> params = parameters();
        try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
            NDArray inj = manager.create(x, new Shape(B, X)).matMul(params.get(1).transpose());
            List<NDList> states = PhantomGradient.unroll(tanhDeq(params, inj), new NDList(zStar), k, tau);
            assertEquals(k, states.size());
            phantomStates = states.get(k - 1).singletonOrThrow().toDoubleArray();
            gc.backward(states.get(1).singletonOrThrow().sum().add(states.get(k - 1).singletonOrThrow().square().sum()));
            phantomGrad = params.get(0).getGradient().toDoubleArray();
        }
        List<NDArray> fresh = parameters();
        try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
            NDArray inj = manager.create(x, new Shape(B, X)).matMul(fresh.get(1).transpose());
            NDArray wt = fresh.get(0).transpose();
            NDArray z = zStar.duplicate();
            NDArray second = null;
            for (int i = 0; i < k; i++) {
                z = z.matMul(wt).add(inj).add(fresh.get(2)).tanh().mul(tau).add(z.mul(1 - tau));
                if (i == 1) {
                    second = z;
                }
            }
            assertArrayEquals(z.toDoubleArray(), phantomStates, 1e-14);
            gc.backward(second.sum().add(z.square().sum()));
            assertArrayEquals(fresh.get(0).getGradient().toDoubleArray(), phantomGrad, 1e-12);
        }
    }

    @Test
    void jacobianPenaltyMatchesItsClosedFormAndLeavesOtherGradientsAlone() {
        int d = 4;
        double[] a = gaussian(new Random(9), d * d, 0.5);
        double[] v = gaussian(new Random(10), 2 * d, 1.0);
        NDArray aa = manager.create(a, new Shape(d, d));
        aa.setRequiresGradient(true);
        FixedPointMap f = z -> new NDList(z.singletonOrThrow().matMul(aa.transpose()).add(1.0));
        NDArray z = manager.create(gaussian(new Random(11), 2 * d, 1.0), new Shape(2, d));
        NDArray probe = manager.create(v, new Shape(2, d));
        try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
            NDArray penalty = Diagnostics.jacobianPenalty(f, new NDList(z), List.of(aa), probe);
            // J = A for every sample, so v_b^T J = v_b^T A; penalty = sum_b ||v_b^T A||^2 / (B d)
            double expected = 0;
            double[][] vA = new double[2][d];
            for (int b = 0; b < 2; b++) {
                for (int j = 0; j < d; j++) {
                    for (int i = 0; i < d; i++) {
                        vA[b][j] += v[b * d + i] * a[i * d + j];
                    }
                    expected += vA[b][j] * vA[b][j];
                }
            }
            assertEquals(expected / (2 * d), penalty.getDouble(), 1e-12);
            gc.backward(penalty);
        }
        // d penalty / dA[i][j] = 2 sum_b v_b[i] (v_b^T A)[j] / (B d); nothing else may have accumulated in A
        double[] grad = aa.getGradient().toDoubleArray();
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double g = 0;
                for (int b = 0; b < 2; b++) {
                    double vAj = 0;
                    for (int k = 0; k < d; k++) {
                        vAj += v[b * d + k] * a[k * d + j];
                    }
                    g += 2 * v[b * d + i] * vAj / (2 * d);
                }
                assertEquals(g, grad[i * d + j], 1e-12, "dA[" + i + "][" + j + "]");
            }
        }
    }

    @Test
    void spectralRadiusByPowerIterationFindsTheDominantEigenvalue() {
        int d = 6;
        double[] a = AffineMaps.symmetric(new double[] {-0.8, 0.5, 0.3, 0.1, -0.2, 0.0}, 3);
        FixedPointMap f = AffineMaps.affine(manager, a, new double[d], d);
        double[] radius = Diagnostics.spectralRadius(f, new NDList(AffineMaps.zeros(manager, 2, d)), List.of(), 200, 1);
        assertEquals(0.8, radius[0], 1e-9);
        assertEquals(0.8, radius[1], 1e-9);
    }

    @Test
    void correctionWeightsAreTheReferences() {
        assertArrayEquals(new double[] {0.32768, 0.4096, 0.512, 0.64, 0.8, 1.0},
                FixedPointCorrection.referenceWeights(6), 1e-15);
        assertArrayEquals(new double[] {0.25, 0.5, 0.75, 1.0},
                FixedPointCorrection.weights(4, FixedPointCorrection.Schedule.PROPORTIONAL, 0), 1e-15);
        NDArray total = FixedPointCorrection.loss(List.of(manager.create(2.0), manager.create(3.0)),
                FixedPointCorrection.weights(2, FixedPointCorrection.Schedule.EXP, 0.5));
        assertEquals(2.0 * 0.5 + 3.0, total.getDouble(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> FixedPointCorrection.weights(0,
                FixedPointCorrection.Schedule.CONSTANT, 1));
    }
}
