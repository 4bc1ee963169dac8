package org.get4j.deq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.EnumMap;
import java.util.Map;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SolverTest {
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = TorchRuntime.newManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static SolverConfig config(SolverKind kind, int maxIter, double tol) {
        return SolverConfig.builder().solver(kind).maxIter(maxIter).tol(tol).m(5).lambda(1e-10).build();
    }

    @ParameterizedTest
    @EnumSource(SolverKind.class)
    void everySolverReachesTheKnownFixedPointOfAContraction(SolverKind kind) {
        int d = 8;
        double[] eigs = {0.5, -0.4, 0.3, 0.2, 0.1, 0.0, -0.2, 0.45};
        double[] a = AffineMaps.symmetric(eigs, 1);
        double[] b = {1, -2, 0.5, 3, -1, 0.25, 2, -0.75};
        double[] expected = AffineMaps.fixedPoint(a, b, d);
        FixedPointMap f = AffineMaps.affine(manager, a, b, d);
        try (SolverResult r = Solver.of(config(kind, 200, 1e-9)).solve(f, new NDList(AffineMaps.zeros(manager, 3, d)))) {
            assertTrue(r.converged(), kind + " did not converge: " + r.maxResidual(StopMode.ABS));
            double[] z = r.state().singletonOrThrow().toDoubleArray();
            for (int s = 0; s < 3; s++) {
                for (int i = 0; i < d; i++) {
                    assertEquals(expected[i], z[s * d + i], 1e-8, kind + " sample " + s + " coordinate " + i);
                }
            }
            assertEquals(r.iterations(), r.absTrace().size());
        }
    }

    @Test
    void andersonAndBroydenNeedFarFewerIterationsOnAnIllConditionedContraction() {
        int d = 20;
        double[] eigs = new double[d];
        for (int i = 0; i < d; i++) {
            eigs[i] = 0.99 * i / (d - 1); // spectral radius 0.99: plain iteration contracts by 1% a step
        }
        double[] a = AffineMaps.symmetric(eigs, 7);
        double[] b = new double[d];
        java.util.Arrays.fill(b, 1.0);
        FixedPointMap f = AffineMaps.affine(manager, a, b, d);
        Map<SolverKind, Integer> iterations = new EnumMap<>(SolverKind.class);
        for (SolverKind kind : SolverKind.values()) {
            SolverConfig c = SolverConfig.builder().solver(kind).maxIter(5000).tol(1e-6).m(10).lambda(1e-12).build();
            try (SolverResult r = Solver.of(c).solve(f, new NDList(AffineMaps.zeros(manager, 2, d)))) {
                assertTrue(r.converged(), kind + " did not converge in 5000 iterations");
                iterations.put(kind, r.iterations());
            }
        }
        int plain = iterations.get(SolverKind.FIXED_POINT);
        assertTrue(plain > 1000, "plain iteration should need > 1000 steps at rate 0.99, took " + plain);
        assertTrue(iterations.get(SolverKind.ANDERSON) * 10 < plain, iterations.toString());
        assertTrue(iterations.get(SolverKind.BROYDEN) * 10 < plain, iterations.toString());
    }

    @Test
    void returnsPerSampleTheEstimateWithTheLowestResidual() {
        // Sample 0 contracts (f = 0.5 z + 1), sample 1 diverges (f = -1.5 z + 1): its best estimate is the first.
        NDArray scale = manager.create(new double[] {0.5, -1.5}, new Shape(2, 1));
        FixedPointMap f = z -> new NDList(z.singletonOrThrow().mul(scale).add(1.0));
        NDArray z0 = manager.create(new double[] {0, 0}, new Shape(2, 1));
        SolverConfig c = SolverConfig.builder().maxIter(6).tol(0).build();
        try (SolverResult r = Solver.of(c).solve(f, new NDList(z0))) {
            double[] z = r.state().singletonOrThrow().toDoubleArray();
            // sample 0: f^6(0) = 2 (1 - 0.5^6); sample 1: f(0) = 1, whose residual |1 - 0| beats every later one
            assertEquals(2 * (1 - Math.pow(0.5, 6)), z[0], 1e-12);
            assertEquals(1.0, z[1], 1e-12);
            assertEquals(6, r.iterations());
            assertFalse(r.converged());
            assertEquals(1.0, r.bestAbs()[1], 1e-12);
            assertEquals(Math.pow(0.5, 5), r.bestAbs()[0], 1e-12);
            // the input was not modified
            assertArrayEquals(new double[] {0, 0}, z0.toDoubleArray());
        }
    }

    @ParameterizedTest
    @EnumSource(SolverKind.class)
    void returnFinalReturnsTheLastEvaluationAfterEveryIteration(SolverKind kind) {
        // Scalar maps, one per sample: sample 0 contracts (f = 0.5 z + 1), sample 1 diverges (f = -1.5 z + 1).
        NDArray scale = manager.create(new double[] {0.5, -1.5}, new Shape(2, 1));
        NDArray shift = manager.create(new double[] {1, 1}, new Shape(2, 1));
        java.util.List<double[]> evaluations = new java.util.ArrayList<>();
        FixedPointMap f = z -> {
            NDArray fz = z.singletonOrThrow().mul(scale).add(shift);
            evaluations.add(fz.toDoubleArray());
            return new NDList(fz);
        };
        // a tolerance every sample meets at once would stop the lowest-residual rule after 1 evaluation
        SolverConfig c = config(kind, 6, 1e9).toBuilder().returnFinal(true).build();
        try (SolverResult r = Solver.of(c).solve(f, new NDList(manager.zeros(new Shape(2, 1), DataType.FLOAT64)))) {
            assertEquals(6, r.iterations(), kind + " must run every iteration");
            assertArrayEquals(evaluations.get(evaluations.size() - 1), r.state().singletonOrThrow().toDoubleArray(),
                    0, kind + " must return the last evaluation, not the lowest-residual one");
            assertEquals(r.absTrace().get(5)[1], r.bestAbs()[1], 0);
        }
        if (kind == SolverKind.FIXED_POINT) {
            // plain iteration in closed form: f^6(0) = (1 - a^6) / (1 - a) for f = a z + 1
            assertEquals((1 - Math.pow(-1.5, 6)) / 2.5, evaluations.get(5)[1], 1e-12);
            assertEquals(2 * (1 - Math.pow(0.5, 6)), evaluations.get(5)[0], 1e-12);
        }
    }

    @Test
    void stopsEarlyOnceEverySampleIsBelowTolerance() {
        NDArray scale = manager.create(new double[] {0.5, 0.1}, new Shape(2, 1));
        FixedPointMap f = z -> new NDList(z.singletonOrThrow().mul(scale).add(1.0));
        SolverConfig c = SolverConfig.builder().maxIter(100).tol(1e-3).build();
        try (SolverResult r = Solver.of(c).solve(f, new NDList(manager.zeros(new Shape(2, 1), DataType.FLOAT64)))) {
            // residual of sample 0 after k evaluations is 0.5^(k-1): below 1e-3 first at k = 11
            assertEquals(11, r.iterations());
            assertTrue(r.converged());
            assertTrue(r.absTrace().get(9)[0] >= 1e-3);
            assertTrue(r.maxResidual(StopMode.ABS) < 1e-3);
        }
    }

    @Test
    void relativeStopModeUsesTheRelativeResidual() {
        FixedPointMap f = z -> new NDList(z.singletonOrThrow().mul(0.5).add(1000.0));
        SolverConfig c = SolverConfig.builder().maxIter(100).tol(1e-3).stopMode(StopMode.REL).build();
        try (SolverResult r = Solver.of(c).solve(f, new NDList(manager.zeros(new Shape(1, 1), DataType.FLOAT64)))) {
            // rel residual after k evaluations: 1000 * 0.5^(k-1) / (2000 (1 - 0.5^k)) = 0.5^k / (1 - 0.5^k),
            // first below 1e-3 at k = 10 (the absolute residual is then still about 2)
            assertEquals(10, r.iterations());
            assertTrue(r.bestRel()[0] < 1e-3 && r.bestAbs()[0] > 0.5);
        }
    }

    @Test
    void dampingSlowsTheIterationAsItShould() {
        FixedPointMap f = z -> new NDList(z.singletonOrThrow().mul(0.0).add(1.0));
        SolverConfig c = SolverConfig.builder().maxIter(3).tol(0).tau(0.5).build();
        try (SolverResult r = Solver.of(c).solve(f, new NDList(manager.zeros(new Shape(1, 1), DataType.FLOAT64)))) {
            // z: 0 -> 0.5 -> 0.75; residuals 1, 0.5, 0.25; the returned estimate is f(z) = 1 (f is constant)
            assertArrayEquals(new double[] {1, 0.5, 0.25},
                    r.absTrace().stream().mapToDouble(t -> t[0]).toArray(), 1e-12);
        }
    }

    @Test
    void statesMayBeSeveralArrays() {
        FixedPointMap f = z -> new NDList(z.get(0).mul(0.5).add(1.0), z.get(1).mul(0.25).add(z.get(0).sum(new int[] {1, 2})));
        NDList z0 = new NDList(manager.zeros(new Shape(2, 2, 3), DataType.FLOAT64),
                manager.zeros(new Shape(2), DataType.FLOAT64));
        SolverConfig c = SolverConfig.builder().solver(SolverKind.ANDERSON).maxIter(100).tol(1e-10).lambda(1e-14)
                .build();
        try (SolverResult r = Solver.of(c).solve(f, z0)) {
            assertTrue(r.converged(), "residual " + r.maxResidual(StopMode.ABS));
            assertEquals(new Shape(2, 2, 3), r.state().get(0).getShape());
            assertEquals(new Shape(2), r.state().get(1).getShape());
            assertEquals(2.0, r.state().get(0).getDouble(1, 1, 2), 1e-8);
            assertEquals(12.0 / 0.75, r.state().get(1).getDouble(0), 1e-7);
        }
    }

    @Test
    void aMapThatChangesTheShapeIsAClearError() {
        FixedPointMap f = z -> new NDList(z.singletonOrThrow().sum(new int[] {1}, true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Solver.of(SolverConfig.reference())
                .solve(f, new NDList(manager.zeros(new Shape(2, 3)))));
        assertTrue(e.getMessage().contains("(2, 1)") && e.getMessage().contains("(2, 3)"), e.getMessage());
    }
}
