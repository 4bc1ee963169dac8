package org.get4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.get4j.model.Generator;
import org.get4j.model.ModelConfig;
import org.get4j.optim.AdamW;
import org.get4j.optim.Ema;
import org.get4j.optim.Gradients;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdamWTest {
    /** torch.optim.AdamW's update, written out in double precision. */
    private static double[] reference(double[] p, double[][] grads, double lr, double wd) {
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-8;
        double[] m = new double[p.length];
        double[] v = new double[p.length];
        double[] x = p.clone();
        for (int t = 1; t <= grads.length; t++) {
            for (int i = 0; i < x.length; i++) {
                double g = grads[t - 1][i];
                x[i] *= 1 - lr * wd;
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
                x[i] -= lr / (1 - Math.pow(b1, t)) * m[i] / denom;
            }
        }
        return x;
    }

    @Test
    void aScaledParameterFollowsPyTorchsAlgorithmAtItsOwnLearningRate() {
        double[] start = {0.5, -1.0, 2.0};
        double[][] grads = {{0.1, -0.2, 0.3}, {0.05, 0.4, -0.3}, {-0.2, 0.1, 0.0}};
        try (NDManager m = TorchRuntime.newManager()) {
            NDArray a = m.create(start);
            NDArray b = m.create(start);
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            AdamW opt = AdamW.withDefaults(List.of(a, b), 0.01);
            opt.scaleLearningRate(b, 20);
            for (double[] g : grads) {
                NDArray coefficients = m.create(g);
                try (GradientCollector gc = m.getEngine().newGradientCollector()) {
                    gc.backward(a.mul(coefficients).sum().add(b.mul(coefficients).sum()));
                }
                opt.step(1e-3);
            }
            assertArrayEquals(reference(start, grads, 1e-3, 0.01), a.toDoubleArray(), 1e-12);
            assertArrayEquals(reference(start, grads, 2e-2, 0.01), b.toDoubleArray(), 1e-12, "lr 20 x 1e-3");
            NDArray stranger = m.create(new double[] {1});
            assertThrows(IllegalArgumentException.class, () -> opt.scaleLearningRate(stranger, 2));
            assertThrows(IllegalArgumentException.class, () -> opt.scaleLearningRate(a, 0));
        }
    }

    @Test
    void theSquaredGradientNormIsReadInOneReductionAndShowsANaN() {
        try (NDManager m = TorchRuntime.newManager()) {
            NDArray a = m.create(new float[] {1, 2});
            NDArray b = m.create(new float[][] {{3}, {-4}});
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            try (GradientCollector gc = m.getEngine().newGradientCollector()) {
                gc.backward(a.sum().add(b.square().sum().mul(0.5f))); // grads (1, 1) and (3, -4)
            }
            assertEquals(1 + 1 + 9 + 16, Gradients.squaredNorm(List.of(a, b)), 1e-6);
            try (GradientCollector gc = m.getEngine().newGradientCollector()) { // accumulates: a's gradient NaN
                gc.backward(a.mul(m.create(new float[] {Float.NaN, 0})).sum());
            }
            assertTrue(Double.isNaN(Gradients.squaredNorm(List.of(a, b))));
        }
    }

    @Test
    void matchesPyTorchsAlgorithmOverSeveralSteps() {
        double[] start = {0.5, -1.0, 2.0};
        double[][] grads = {{0.1, -0.2, 0.3}, {0.05, 0.4, -0.3}, {-0.2, 0.1, 0.0}};
        try (NDManager m = TorchRuntime.newManager()) {
            NDArray p = m.create(new double[] {0.5, -1.0, 2.0});
            p.setRequiresGradient(true);
            AdamW opt = AdamW.withDefaults(List.of(p), 0.01);
            NDArray coefficients;
            for (double[] g : grads) {
                coefficients = m.create(g);
                try (GradientCollector gc = m.getEngine().newGradientCollector()) {
                    gc.backward(p.mul(coefficients).sum()); // d/dp = g
                }
                opt.step(1e-2);
            }
            assertArrayEquals(reference(start, grads, 1e-2, 0.01), p.toDoubleArray(), 1e-12);
            assertEquals(3, opt.steps());
            assertEquals(0.0, p.getGradient().abs().sum().getDouble(), "gradients are zeroed after a step");
        }
    }

    @Test
    void aShortDistillationRunLowersTheLossAndEmaFollowsTheWeights() {
        try (NDManager m = TorchRuntime.newManager()) {
            m.getEngine().setRandomSeed(3);
            ModelConfig c = ModelConfig.get(16, 1, 4, 32, 4, 1, 3, 2, 0);
            Generator g = Generator.create(c, m);
            Generator emaModel = Generator.create(c, m);
            Ema ema = new Ema(emaModel.trainableArrays(), g.trainableArrays(), 0.9999, true);
            ema.reset();
            DistillationStep step = DistillationStep.reference(g, AdamW.withDefaults(g.trainableArrays(), 0));
            ParameterStore ps = new ParameterStore(m, false);
            NDArray noise = m.randomNormal(new Shape(8, 1, 16, 16));
            NDArray target = noise.mul(0.5).tanh();
            double first = Double.NaN;
            double last = Double.NaN;
            for (int i = 0; i < 60; i++) {
                DistillationStep.Result r = step.step(ps, noise, null, target, null, 3e-3);
                assertEquals(6, r.stateLosses().length);
                if (i == 0) {
                    first = r.loss();
                }
                last = r.loss();
                ema.update(i);
            }
            assertTrue(last < 0.7 * first, "loss " + first + " -> " + last);
            // with warm-up the EMA is close to recent weights, not stuck at initialisation
            double dist = g.trainableArrays().get(0).sub(emaModel.trainableArrays().get(0)).abs().max().getFloat();
            assertTrue(dist < 0.05, "EMA lags by " + dist);
            assertEquals(0.5, new Ema(List.of(), List.of(), 0.9999, true).decayAt(8), 1e-12);
        }
    }
}
