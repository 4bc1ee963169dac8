package org.get4j.deq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.get4j.Get4jException;
import org.get4j.runtime.Torch;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No graphs where none are wanted, no leaks over long runs, and configurations that refuse what they don't know. */
class SolverHygieneTest {
    @TempDir
    Path dir;

    @Test
    void twoHundredTrainingStepsLeaveTheNumberOfLiveArraysConstant() {
        try (NDManager manager = TorchRuntime.newManager()) {
            NDArray w = manager.randomNormal(0, 0.1f, new Shape(16, 16), DataType.FLOAT32);
            w.setRequiresGradient(true);
            List<NDArray> params = List.of(w);
            FixedPointMap f = z -> new NDList(z.singletonOrThrow().matMul(w).tanh());
            ImplicitGradient implicit = new ImplicitGradient(SolverConfig.builder().solver(SolverKind.BROYDEN)
                    .maxIter(8).tol(1e-4).build());
            Solver anderson = Solver.of(SolverConfig.builder().solver(SolverKind.ANDERSON).maxIter(8).build());
            int afterWarmup = -1;
            for (int step = 0; step < 200; step++) {
                // No NDScope here on purpose: it would hide arrays the library leaves behind.
                try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
                    NDArray z0 = manager.randomNormal(new Shape(4, 16));
                    NDList zStar;
                    try (SolverResult r = anderson.solve(f, new NDList(z0))) {
                        zStar = new NDList(r.state().singletonOrThrow().duplicate());
                    }
                    try (ImplicitGradient.Step s = implicit.at(f, zStar, params)) {
                        NDArray phantom = PhantomGradient.step(f, s.state(), 2, 0.9).singletonOrThrow();
                        s.backward(phantom.square().mean());
                    }
                    // Not gc.zeroGradients(): DJL 0.36's leaks two gradient handles per parameter per call.
                    Torch.zeroGrad(w);
                    z0.close();
                    zStar.close();
                }
                if (step == 9) {
                    afterWarmup = manager.getManagedArrays().size();
                }
            }
            assertEquals(afterWarmup, manager.getManagedArrays().size(), "arrays leaked over 190 steps");
        }
    }

    @Test
    void solversRecordNoGraphEvenOnAFreshThreadWhereGradModeStartsOn() throws Exception {
        AtomicBoolean gradInsideF = new AtomicBoolean(true);
        AtomicBoolean gradOnThread = new AtomicBoolean(false);
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> {
            try (NDManager manager = TorchRuntime.newManager()) {
                gradOnThread.set(Torch.isGradEnabled());
                NDArray w = manager.ones(new Shape(3, 3)).mul(0.1);
                w.setRequiresGradient(true);
                FixedPointMap f = z -> {
                    gradInsideF.set(Torch.isGradEnabled());
                    return new NDList(z.singletonOrThrow().matMul(w));
                };
                try (SolverResult r = Solver.of(SolverConfig.reference()).solve(f, new NDList(manager.ones(new Shape(2, 3))))) {
                    assertFalse(r.state().singletonOrThrow().hasGradient());
                }
                assertEquals(gradOnThread.get(), Torch.isGradEnabled(), "grad mode restored after the solve");
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        t.start();
        t.join();
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
        assertTrue(gradOnThread.get(), "libtorch starts a new thread in grad mode; this test relies on it");
        assertFalse(gradInsideF.get(), "f ran with grad mode on inside the solver");
    }

    @Test
    void unknownKeysAreNamed() {
        Get4jException e = assertThrows(Get4jException.class,
                () -> SolverConfig.fromMap(Map.of("solver", "anderson", "f_max_iter", 30, "tol", 1e-4)));
        assertTrue(e.getMessage().contains("f_max_iter") && e.getMessage().contains("max_iter"), e.getMessage());
    }

    @Test
    void invalidValuesAreNamed() {
        assertTrue(assertThrows(Get4jException.class, () -> SolverConfig.builder().tol(-1e-3).build())
                .getMessage().contains("'tol' = -0.001"));
        assertTrue(assertThrows(Get4jException.class, () -> SolverConfig.builder().m(0).build())
                .getMessage().contains("'m' = 0"));
        assertTrue(assertThrows(Get4jException.class, () -> SolverConfig.builder().tau(1.5).build())
                .getMessage().contains("'tau'"));
        assertTrue(assertThrows(Get4jException.class, () -> SolverConfig.fromMap(Map.of("solver", "newton")))
                .getMessage().contains("newton"));
        assertTrue(assertThrows(Get4jException.class, () -> SolverConfig.fromMap(Map.of("max_iter", 2.5)))
                .getMessage().contains("max_iter"));
        assertTrue(assertThrows(Get4jException.class, () -> SolverConfig.fromMap(Map.of("return_final", "yes")))
                .getMessage().contains("return_final"));
    }

    @Test
    void jsonRoundTripAndFileErrorsNameTheFile() throws Exception {
        SolverConfig c = SolverConfig.builder().solver(SolverKind.BROYDEN).maxIter(30).tol(1e-5)
                .stopMode(StopMode.REL).memory(10).returnFinal(true).build();
        Path file = dir.resolve("solver.json");
        Files.writeString(file, new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(c.toMap()));
        assertEquals(c, SolverConfig.fromJson(file));
        Files.writeString(file, "{\"solver\": \"anderson\", \"history\": 5}");
        Get4jException e = assertThrows(Get4jException.class, () -> SolverConfig.fromJson(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("history"), e.getMessage());
    }
}
