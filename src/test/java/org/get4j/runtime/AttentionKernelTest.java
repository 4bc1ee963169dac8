package org.get4j.runtime;

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
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.get4j.Get4jException;
import org.get4j.nn.GetBlock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The attention kernels against the Java path (issue 21), past TorchScript's profiling calls: the TorchScript core and
 * the fused kernel agree with it to float32 rounding, forward and backward, and the fused kernel is deterministic.
 */
class AttentionKernelTest {
    @AfterEach
    void restore() {
        AttentionKernel.use(AttentionKernel.JAVA);
    }

    /**
     * A GET block's output and every gradient (input, injection, all weights), with {@code kernel}: the third call, past
     * TorchScript's profiling runs, as training sees it.
     */
    private static List<float[]> blockForwardBackward(AttentionKernel kernel) {
        List<float[]> last = null;
        for (int call = 0; call < 3; call++) {
            last = oneForwardBackward(kernel);
        }
        return last;
    }

    private static List<float[]> oneForwardBackward(AttentionKernel kernel) {
        AttentionKernel.use(kernel);
        try (NDManager m = TorchRuntime.newManager()) {
            Shape x = new Shape(3, 16, 32);
            Shape b = new Shape(3, 16, 96);
            m.getEngine().setRandomSeed(7);
            GetBlock block = new GetBlock(32, 4, 4.0);
            block.initialize(m, DataType.FLOAT32, x, b);
            NDArray in = m.randomNormal(x);
            NDArray inj = m.randomNormal(b);
            in.setRequiresGradient(true);
            inj.setRequiresGradient(true);
            List<float[]> out = new ArrayList<>();
            try (GradientCollector gc = m.getEngine().newGradientCollector()) {
                NDArray y = block.forward(new ParameterStore(m, false), new NDList(in, inj), true).singletonOrThrow();
                out.add(y.toFloatArray());
                gc.backward(y.mul(y).sum());
            }
            out.add(in.getGradient().toFloatArray());
            out.add(inj.getGradient().toFloatArray());
            block.getParameters().values().forEach(p -> out.add(p.getArray().getGradient().toFloatArray()));
            return out;
        }
    }

    /** Every array within 2e-5 of the Java path's, relative to the array's largest magnitude (at least 1). */
    private static void assertClose(List<float[]> expected, List<float[]> actual, String kernel) {
        assertEquals(expected.size(), actual.size());
        assertTrue(expected.size() > 10, "output, two input gradients and the weights' gradients");
        for (int i = 0; i < expected.size(); i++) {
            float scale = 0;
            for (float v : expected.get(i)) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertArrayEquals(expected.get(i), actual.get(i), 2e-5f * Math.max(1f, scale), kernel + ", array " + i);
        }
    }

    @Test
    void theTorchScriptCoreAgreesWithTheJavaPathForwardAndBackward() {
        assertClose(blockForwardBackward(AttentionKernel.JAVA), blockForwardBackward(AttentionKernel.SCRIPT), "script");
    }

    @Test
    void theFusedKernelAgreesToFloatRoundingAndIsDeterministic() {
        List<float[]> sdpa = blockForwardBackward(AttentionKernel.SDPA);
        assertClose(blockForwardBackward(AttentionKernel.JAVA), sdpa, "sdpa");
        List<float[]> again = blockForwardBackward(AttentionKernel.SDPA);
        for (int i = 0; i < sdpa.size(); i++) {
            assertArrayEquals(sdpa.get(i), again.get(i), 0f, "the same bits from the same inputs, array " + i);
        }
    }

    @Test
    void aBadSettingNamesItselfAndTheChoices() {
        assertEquals(AttentionKernel.SDPA, AttentionKernel.parse(" SDPA ", "GET4J_ATTENTION"));
        Get4jException e = assertThrows(Get4jException.class, () -> AttentionKernel.parse("flash", "GET4J_ATTENTION"));
        assertEquals("GET4J_ATTENTION=flash: not an attention kernel (java, script or sdpa)", e.getMessage());
    }
}
