package org.get4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.get4j.runtime.Torch;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;

class NarrowConv2dTest {
    /** Values and the three gradients equal a float64 convolution (a path without the padded-channel bug). */
    @Test
    void equalsAPlainConvolutionInValuesAndGradients() {
        try (NDManager m = TorchRuntime.newManager()) {
            NarrowConv2d conv = randomConv(m, new Shape(2, 8, 6, 6), 3, 1f);
            NDArray w = conv.getParameters().get("weight").getArray();
            NDArray b = conv.getParameters().get("bias").getArray();
            Torch.assign(b, m.randomNormal(b.getShape()).toFloatArray());
            NDArray x = m.randomNormal(new Shape(2, 8, 6, 6));
            NDArray upstream = m.randomNormal(new Shape(2, 3, 6, 6));
            x.setRequiresGradient(true);
            float[] y;
            try (GradientCollector gc = m.getEngine().newGradientCollector()) {
                NDArray out = conv.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
                assertEquals(new Shape(2, 3, 6, 6), out.getShape());
                y = out.toFloatArray();
                gc.backward(out.mul(upstream).sum());
            }
            NDArray x64 = x.toType(DataType.FLOAT64, true);
            NDArray w64 = w.toType(DataType.FLOAT64, true);
            NDArray b64 = b.toType(DataType.FLOAT64, true);
            for (NDArray a : new NDArray[] {x64, w64, b64}) {
                a.setRequiresGradient(true);
            }
            float[] expected;
            try (GradientCollector gc = m.getEngine().newGradientCollector()) {
                NDArray out = Conv2d.conv2d(x64, w64, b64, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1)
                        .singletonOrThrow();
                expected = out.toType(DataType.FLOAT32, false).toFloatArray();
                gc.backward(out.mul(upstream.toType(DataType.FLOAT64, false)).sum());
            }
            assertArrayEquals(expected, y, 1e-4f);
            assertArrayEquals(floats(x64.getGradient()), x.getGradient().toFloatArray(), 1e-4f);
            assertArrayEquals(floats(w64.getGradient()), w.getGradient().toFloatArray(), 1e-3f);
            assertArrayEquals(floats(b64.getGradient()), b.getGradient().toFloatArray(), 1e-3f);
        }
    }

    /**
     * The regression: a one-channel output convolution (the U-Net's image output) backpropagated 200 times. With DJL's
     * Conv2d, 11 of these calls gave NaN input gradients on the host where it was found (an AVX-512 AMD EPYC); on a
     * host without the libtorch bug this passes either way, and the first test still checks the values.
     */
    @Test
    void inputGradientsAreFiniteInEveryCall() {
        try (NDManager m = TorchRuntime.newManager()) {
            NarrowConv2d conv = randomConv(m, new Shape(64, 32, 32, 32), 1, 0.1f);
            ParameterStore ps = new ParameterStore(m, false);
            List<Integer> bad = new ArrayList<>();
            for (int call = 0; call < 200; call++) {
                try (NDManager b = m.newSubManager(); GradientCollector gc = m.getEngine().newGradientCollector()) {
                    NDArray x = b.randomNormal(new Shape(64, 32, 32, 32));
                    x.setRequiresGradient(true);
                    NDArray y = conv.forward(ps, new NDList(x), true).singletonOrThrow();
                    gc.backward(y.square().mean());
                    if (x.getGradient().isNaN().any().getBoolean() || x.getGradient().isInfinite().any().getBoolean()) {
                        bad.add(call);
                    }
                }
            }
            assertEquals(List.of(), bad, "calls with non-finite input gradients");
        }
    }

    private static float[] floats(NDArray a) {
        return a.toType(DataType.FLOAT32, false).toFloatArray();
    }

    /** A 3 x 3 NarrowConv2d for inputs of {@code input}'s shape, its weights drawn from N(0, std^2). */
    private static NarrowConv2d randomConv(NDManager m, Shape input, int out, float std) {
        NarrowConv2d conv = new NarrowConv2d((int) input.get(1), out, 3);
        conv.initialize(m, DataType.FLOAT32, input);
        NDArray w = conv.getParameters().get("weight").getArray();
        Torch.assign(w, m.randomNormal(0, std, w.getShape(), DataType.FLOAT32).toFloatArray());
        return conv;
    }
}
