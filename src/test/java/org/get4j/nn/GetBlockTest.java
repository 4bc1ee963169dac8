package org.get4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;

class GetBlockTest {
    private static final int D = 32;
    private static final int N = 6;

    @Test
    void parameterCountIsTheReferences() {
        try (NDManager m = TorchRuntime.newManager()) {
            GetBlock block = new GetBlock(256, 4, 6);
            block.initialize(m, DataType.FLOAT32, new Shape(1, 4, 256));
            long count = 0;
            for (Pair<String, Parameter> p : block.getParameters()) {
                count += p.getValue().getArray().size();
            }
            long expected = 2 * 2 * 256 + (256 * 768 + 768) + (256 * 256 + 256) + (256 * 1536 + 1536) + (1536 * 256 + 256);
            assertEquals(expected, count);
            // xavier-uniform bound of the qkv weight, over the whole (3D, D) matrix
            double bound = Math.sqrt(6.0 / (256 + 768));
            NDArray qkv = block.getParameters().valueAt(2).getArray();
            assertEquals(new Shape(768, 256), qkv.getShape());
            assertTrue(qkv.abs().max().getFloat() <= bound);
            assertTrue(qkv.abs().max().getFloat() > 0.9 * bound);
        }
    }

    private static float[] run(GetBlock block, NDManager m, NDArray x, NDArray bias) {
        ParameterStore ps = new ParameterStore(m, false);
        NDList in = bias == null ? new NDList(x) : new NDList(x, bias);
        return block.forward(ps, in, false).singletonOrThrow().toFloatArray();
    }

    /** A (B, 1, 3D) bias that is {@code value} on one of the q, k, v parts and 0 elsewhere. */
    private static NDArray partBias(NDManager m, int part, float value) {
        float[] b = new float[3 * D];
        for (int i = part * D; i < (part + 1) * D; i++) {
            b[i] = value * ((i % 7) - 3);
        }
        return m.create(b, new Shape(1, 1, 3 * D));
    }

    @Test
    void theQkvBiasActsOnlyThroughAttention() {
        try (NDManager m = TorchRuntime.newManager()) {
            m.getEngine().setRandomSeed(1);
            GetBlock block = new GetBlock(D, 4, 2);
            block.initialize(m, DataType.FLOAT32, new Shape(2, N, D));
            NDArray x = m.randomNormal(new Shape(2, N, D));
            float[] plain = run(block, m, x, null);
            assertArrayEquals(plain, run(block, m, x, partBias(m, 0, 0)), 0f);
            // The same vector added to every key shifts each query's logits by a constant: softmax ignores it.
            assertArrayEquals(plain, run(block, m, x, partBias(m, 1, 0.7f)), 1e-5f);
            // On queries or values it changes the output.
            assertFalse(close(plain, run(block, m, x, partBias(m, 0, 0.7f))));
            assertFalse(close(plain, run(block, m, x, partBias(m, 2, 0.7f))));
        }
    }

    private static boolean close(float[] a, float[] b) {
        for (int i = 0; i < a.length; i++) {
            if (Math.abs(a[i] - b[i]) > 1e-4) {
                return false;
            }
        }
        return true;
    }

    @Test
    void macsFollowTheNotesFormula() {
        // GET-T's equilibrium block at 256 tokens, width 256, ratio 6: N D^2 (4 + 2r) + 2 N^2 D
        assertEquals(256L * 256 * 256 * 16 + 2L * 256 * 256 * 256, GetBlock.macs(256, 256, 6));
    }
}
