package org.get4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.get4j.model.Generator;
import org.get4j.model.ModelConfig;
import org.get4j.optim.AdamW;
import org.get4j.optim.NonFiniteGuard;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NonFiniteGuardTest {
    @Test
    void skipsNonFiniteStepsAndStopsOnTheLimitNamingTheStep() {
        NonFiniteGuard guard = new NonFiniteGuard(3, 100);
        assertTrue(guard.admit(1.5, 0.2));                      // step 101
        assertFalse(guard.admit(Double.NaN, 0.2));              // 102
        assertFalse(guard.admit(Double.POSITIVE_INFINITY, 0.2)); // 103
        assertTrue(guard.admit(0.7, 0.2));                      // 104: a finite step resets the count
        assertFalse(guard.admit(0.7, Double.NaN));              // 105: L1's gradient at a NaN target is finite
        assertTrue(guard.admit(0.7, 0.2));                      // 106
        assertFalse(guard.admit(Double.NaN, Double.NaN));       // 107
        assertFalse(guard.admit(Double.NaN, Double.NaN));       // 108
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> guard.admit(Double.NaN, Double.NaN));     // 109: third in a row
        assertTrue(e.getMessage().startsWith("step 109:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NonFiniteGuard(0, 0));
    }

    @Test
    void aBatchWithANonFiniteGradientLeavesWeightsAndOptimizerUntouched() {
        try (NDManager m = TorchRuntime.newManager()) {
            m.getEngine().setRandomSeed(5);
            ModelConfig c = ModelConfig.get(16, 1, 4, 32, 4, 1, 2, 2, 0);
            Generator g = Generator.create(c, m);
            AdamW optimizer = AdamW.withDefaults(g.trainableArrays(), 0);
            DistillationStep step = DistillationStep.reference(g, optimizer);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray noise = m.randomNormal(new Shape(4, 1, 16, 16));
            NDArray good = noise.mul(0.5).tanh();
            NDArray bad = good.duplicate();
            bad.set(new ai.djl.ndarray.index.NDIndex("0, 0, 3, 5"), Float.NaN);

            assertFalse(step.step(ps, noise, null, good, null, 1e-3).skipped());
            List<float[]> before = snapshot(g);
            DistillationStep.Result r = step.step(ps, noise, null, bad, null, 1e-3);
            assertTrue(r.skipped() && Double.isNaN(r.loss()), "NaN target: " + r);
            assertEquals(1, optimizer.steps(), "the skipped step is not an optimizer step");
            List<float[]> after = snapshot(g);
            for (int i = 0; i < before.size(); i++) {
                assertArrayEquals(before.get(i), after.get(i), "weights " + i + " changed by a skipped step");
            }
            // the skipped step's NaN gradient does not leak into the next update
            DistillationStep.Result next = step.step(ps, noise, null, good, null, 1e-3);
            assertFalse(next.skipped());
            assertTrue(Double.isFinite(next.gradNorm()));
            for (NDArray p : g.trainableArrays()) {
                assertTrue(Float.isFinite(p.sum().getFloat()));
            }
        }
    }

    private static List<float[]> snapshot(Generator g) {
        List<float[]> out = new ArrayList<>();
        for (NDArray p : g.trainableArrays()) {
            out.add(p.toFloatArray());
        }
        return out;
    }

    @Test
    void aSkippedStepLeavesTheLoggedGradientNormFinite() {
        List<DistillationStep.Result> window = List.of(
                new DistillationStep.Result(new double[] {0.3}, 0.3, 2.0, 0, 0, false),
                new DistillationStep.Result(new double[] {0.5}, 0.5, Double.NaN, 0, 0, true),
                new DistillationStep.Result(new double[] {0.1}, 0.1, 4.0, 0, 0, false));
        Distillation.Log log = Distillation.summarise(3, window, 1e-3, 10, 0);
        assertEquals(3.0, log.gradNorm(), 1e-12, "mean over the two applied updates");
        assertEquals(0.3, log.loss(), 1e-12, "the loss is still the mean over all steps");
        assertEquals(1, log.skipped());
        Distillation.Log none = Distillation.summarise(1, window.subList(1, 2), 1e-3, 10, 0);
        assertTrue(Double.isNaN(none.gradNorm()), "no update applied: no norm to report");
    }
}
