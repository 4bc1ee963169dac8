package org.get4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.get4j.deq.FixedPointCorrection;
import org.get4j.deq.SolverConfig;
import org.get4j.diffusion.EdmLoss;
import org.get4j.diffusion.EdmTeacher;
import org.get4j.model.Generator;
import org.get4j.model.ModelConfig;
import org.get4j.model.Supervision;
import org.get4j.runtime.Torch;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;

/**
 * Issue 18's root cause, pinned: a backward pass must give the same gradients whether or not the garbage collector
 * ran after the forward pass. DJL's {@code x.mul(c)} puts a Java constant in a tensor over a Java buffer that it
 * frees at once; autograd kept that tensor, so after a GC the backward pass multiplied by whatever reused the
 * memory (here: the value 123). Each objective below runs its backward pass twice from the same weights and inputs:
 * once directly, once after a GC and after refilling freed memory with 123s. Before the fix the three student cases
 * failed; the teacher case passed even then (its freed constant was not overwritten here), so it guards without proof.
 */
class BackwardAfterGcTest {
    private static final ModelConfig GET = ModelConfig.get(16, 1, 4, 32, 4, 1, 2, 2, 0);
    private static final ModelConfig VIT = ModelConfig.vit(16, 1, 4, 32, 4, 2, 0);

    /** Frees what is unreachable and fills small freed blocks with the float 123. */
    private static void collectAndScribble() throws InterruptedException {
        List<ByteBuffer> scribbles = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(20); // the cleaner thread frees direct buffers after the collection
            for (int i = 0; i < 4000; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(4 * (1 + i % 16)).order(ByteOrder.nativeOrder());
                for (int j = 0; j < b.capacity(); j += 4) {
                    b.putFloat(j, 123f);
                }
                scribbles.add(b);
            }
        }
    }

    /** One objective's forward pass; returns its backward pass. */
    private interface Objective {
        Runnable forward(NDManager m, GradientCollector gc);
    }

    /** The gradients of all {@code parameters} after one forward and backward pass, in order. */
    private static float[] gradients(NDManager m, List<NDArray> parameters, Objective objective, boolean hostile)
            throws InterruptedException {
        parameters.forEach(Torch::zeroGrad);
        m.getEngine().setRandomSeed(5);
        try (NDScope scope = new NDScope(); GradientCollector gc = m.getEngine().newGradientCollector()) {
            Runnable backward = objective.forward(m, gc);
            if (hostile) {
                collectAndScribble();
            }
            backward.run();
        }
        List<Float> all = new ArrayList<>();
        for (NDArray p : parameters) {
            for (float g : p.getGradient().toFloatArray()) {
                all.add(g);
            }
        }
        parameters.forEach(Torch::zeroGrad);
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    private static void assertGcDoesNotChangeGradients(NDManager m, List<NDArray> parameters, Objective objective)
            throws InterruptedException {
        float[] direct = gradients(m, parameters, objective, false);
        float[] afterGc = gradients(m, parameters, objective, true);
        assertArrayEquals(direct, afterGc, "the gradients changed because a GC ran between forward and backward");
    }

    /**
     * The distillation objective sum_k gamma^(n-k) |decode(z_k) - x| (GET's unrolled states, its equilibrium with
     * the implicit gradient, or a ViT's one output), plus the Jacobian penalty when its weight is positive.
     */
    private static Objective distillation(Generator model, Supervision how, double jacobian) {
        return (m, gc) -> {
            NDArray noise = m.randomNormal(new Shape(4, 1, 16, 16));
            NDArray target = m.randomNormal(new Shape(4, 1, 16, 16));
            Generator.Supervised out = model.trainForward(new ParameterStore(m, false), noise, null, null, how);
            List<NDArray> losses = out.images().stream().map(x -> x.sub(target).abs().mean()).toList();
            NDArray total = FixedPointCorrection.loss(losses, FixedPointCorrection.referenceWeights(losses.size()));
            NDArray loss = jacobian > 0 ? total.add(out.jacobianPenalty(model.trainableArrays())
                    .mul(Torch.constant(total, jacobian))) : total;
            return () -> {
                out.backward(gc, loss);
                out.close();
            };
        };
    }

    @Test
    void getWithThePhantomGradientAndTheJacobianPenalty() throws Exception {
        try (NDManager m = TorchRuntime.newManager()) {
            m.getEngine().setRandomSeed(1);
            Generator get = Generator.create(GET, m);
            assertGcDoesNotChangeGradients(m, get.trainableArrays(), distillation(get, Supervision.phantom(3), 0.5));
        }
    }

    @Test
    void getWithTheImplicitGradient() throws Exception {
        try (NDManager m = TorchRuntime.newManager()) {
            m.getEngine().setRandomSeed(1);
            Generator get = Generator.create(GET, m);
            SolverConfig solver = SolverConfig.builder().maxIter(6).tol(1e-4).build();
            assertGcDoesNotChangeGradients(m, get.trainableArrays(),
                    distillation(get, Supervision.implicit(solver, solver), 0));
        }
    }

    @Test
    void vit() throws Exception {
        try (NDManager m = TorchRuntime.newManager()) {
            m.getEngine().setRandomSeed(1);
            Generator vit = Generator.create(VIT, m);
            assertGcDoesNotChangeGradients(m, vit.trainableArrays(), distillation(vit, Supervision.phantom(1), 0));
        }
    }

    @Test
    void edmTeacherLoss() throws Exception {
        try (NDManager m = TorchRuntime.newManager()) {
            m.getEngine().setRandomSeed(1);
            EdmTeacher teacher = new EdmTeacher(new EdmTeacher.Config(1, 8, 16, 0), m);
            assertGcDoesNotChangeGradients(m, teacher.parameterArrays(), (mm, gc) -> {
                NDArray loss = EdmLoss.loss(teacher, mm.randomUniform(-1, 1, new Shape(4, 1, 8, 8)), null);
                return () -> gc.backward(loss);
            });
        }
    }
}
