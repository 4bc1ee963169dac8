package org.get4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.get4j.deq.PhantomGradient;
import org.get4j.runtime.Torch;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;

/**
 * The phantom gradient through the last k of n iterations (issue 21's cheaper training step): the free iterations are
 * iterations of the same map, the loss sees the last m states, and no gradient flows through the free iterations.
 */
class PhantomSupervisionTest {
    private static final ModelConfig GET = ModelConfig.get(16, 1, 4, 32, 4, 1, 2, 2, 0);

    private static float[] values(NDArray x) {
        return x.toFloatArray();
    }

    /** The gradient of mean |image_last - target| over every trainable array, for the given start and supervision. */
    private static float[] gradient(NDManager m, Generator get, NDArray noise, NDArray z0, NDArray target,
            Supervision how) {
        get.trainableArrays().forEach(Torch::zeroGrad);
        try (NDScope scope = new NDScope(); GradientCollector gc = m.getEngine().newGradientCollector()) {
            Generator.Supervised out = get.trainForward(new ParameterStore(m, false), noise, null, z0, how);
            List<NDArray> images = out.images();
            out.backward(gc, images.get(images.size() - 1).sub(target).abs().mean());
            out.close();
        }
        List<Float> all = new ArrayList<>();
        for (NDArray p : get.trainableArrays()) {
            for (float g : p.getGradient().toFloatArray()) {
                all.add(g);
            }
        }
        get.trainableArrays().forEach(Torch::zeroGrad);
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    private static double norm(float[] a) {
        double s = 0;
        for (float v : a) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }

    @Test
    void freeIterationsAreIterationsOfTheSameMapWithoutAGraph() {
        try (NDManager m = TorchRuntime.newManager()) {
            m.getEngine().setRandomSeed(1);
            Generator get = Generator.create(GET, m);
            try (Torch.GradMode noGrad = Torch.noGrad()) { // away from the zero-initialised gates, where z_k ignores z_0
                for (NDArray p : get.trainableArrays()) {
                    p.addi(m.randomNormal(p.getShape()).mul(Torch.constant(p, 0.1)));
                }
            }
            NDArray noise = m.randomNormal(new Shape(2, 1, 16, 16));
            NDArray target = m.randomNormal(new Shape(2, 1, 16, 16));
            NDArray z0 = m.randomNormal(new Shape(2, 16, 32));
            ParameterStore ps = new ParameterStore(m, false);
            try (Torch.GradMode noGrad = Torch.noGrad()) {
                List<NDArray> all = get.trainForward(ps, noise, null, z0, Supervision.phantom(4)).images();
                List<NDArray> lastTwo = get.trainForward(ps, noise, null, z0, Supervision.phantom(2, 2, 2)).images();
                assertEquals(2, lastTwo.size());
                assertArrayEquals(values(all.get(2)), values(lastTwo.get(0)), 1e-5f, "state 3 of 4");
                assertArrayEquals(values(all.get(3)), values(lastTwo.get(1)), 1e-5f, "state 4 of 4");
                assertEquals(1, get.supervisedStates(Supervision.phantom(3, 1, 1)));
            }
            // The gradient of "2 free, 2 unrolled" is the gradient of 2 unrolled from the state after 2 free ...
            NDArray z2;
            try (Torch.GradMode noGrad = Torch.noGrad()) {
                GetModel.Problem p = ((GetModel) get).problem(ps, noise, null, z0, true);
                z2 = PhantomGradient.step(p.map(), new NDList(p.start()), 2, 1.0).singletonOrThrow().duplicate();
            }
            float[] cut = gradient(m, get, noise, z0, target, Supervision.phantom(2, 2, 1));
            float[] fromZ2 = gradient(m, get, noise, z2, target, Supervision.phantom(0, 2, 1));
            assertArrayEquals(fromZ2, cut, (float) (1e-5 * norm(cut) / Math.sqrt(cut.length)));
            // ... and not the gradient through all 4 (the graph of the first two is not kept).
            float[] full = gradient(m, get, noise, z0, target, Supervision.phantom(0, 4, 1));
            double diff = 0;
            for (int i = 0; i < full.length; i++) {
                diff += (double) (full[i] - cut[i]) * (full[i] - cut[i]);
            }
            assertTrue(Math.sqrt(diff) > 1e-3 * norm(full), "the cut changes the gradient");
        }
    }

    @Test
    void supervisedStatesMustBeUnrolledOnes() {
        assertThrows(IllegalArgumentException.class, () -> Supervision.phantom(0, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> Supervision.phantom(-1, 2, 1));
        assertEquals(6, Supervision.phantom(6).supervised());
        assertEquals(5, Supervision.phantom(3, 2, 1).iterations());
    }
}
