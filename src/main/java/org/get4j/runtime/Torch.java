package org.get4j.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The libtorch autograd calls DJL does not expose through its engine-neutral API, kept in one small class.
 * Grad mode is thread-local and a new thread starts with it ON (libtorch's default): code that must not build a
 * graph says so explicitly with {@link #noGrad()}.
 */
public final class Torch {
    private Torch() {}

    /** A scope in which no autograd graph is recorded; restores the previous mode on close. */
    public static GradMode noGrad() {
        return new GradMode(false);
    }

    /** A scope in which autograd records (inside a GradientCollector). */
    public static GradMode withGrad() {
        return new GradMode(true);
    }

    public static boolean isGradEnabled() {
        TorchRuntime.engine();
        return JniUtils.isGradMode();
    }

    /**
     * Back-propagates {@code grad} from {@code output} (a vector-Jacobian product), accumulating into the
     * {@code .grad} of every leaf that requires it. {@code keepGraph} lets the same graph serve again.
     */
    public static void backward(NDArray output, NDArray grad, boolean keepGraph, boolean createGraph) {
        JniUtils.backward((PtNDArray) output, (PtNDArray) grad, keepGraph, createGraph);
    }

    /**
     * Calls a TorchScript module's forward with a tensor and a boolean (e.g. the FID Inception's
     * {@code forward(img, return_features=True)}), which DJL's NDList interface cannot express.
     */
    public static NDArray callScript(ai.djl.nn.Block block, NDArray input, boolean flag) {
        if (!(block instanceof ai.djl.pytorch.engine.PtSymbolBlock script)) {
            throw new IllegalArgumentException("not a TorchScript module: " + block.getClass().getSimpleName());
        }
        try (ai.djl.pytorch.jni.IValue x = ai.djl.pytorch.jni.IValue.from((PtNDArray) input);
                ai.djl.pytorch.jni.IValue f = ai.djl.pytorch.jni.IValue.from(flag);
                ai.djl.pytorch.jni.IValue out = script.forward(x, f)) {
            return out.toTensor((ai.djl.pytorch.engine.PtNDManager) input.getManager());
        }
    }

    /**
     * The constant {@code value} as a 0-dim tensor of {@code like}'s type and device, in memory libtorch owns. Use it
     * for every Java constant that enters an op autograd records ({@code x.mul(constant(x, c))}, not
     * {@code x.mul(c)}): DJL's {@code mul(Number)} wraps c in a tensor over a Java direct buffer and closes that
     * tensor at once, while autograd keeps it for the backward pass; after a garbage collection the buffer is freed
     * and reused, and the backward pass multiplies by whatever was written there. Issue 18 traced rare wrong
     * gradients, NaN losses and resumed runs that differed from uninterrupted ones to this.
     */
    public static NDArray constant(NDArray like, double value) {
        try (NDArray overJavaMemory = like.getManager().create(value)) {
            return overJavaMemory.toType(like.getDataType(), true); // a copy libtorch allocated
        }
    }

    /**
     * Overwrites {@code target} in place with {@code values} (row-major, its shape), in memory libtorch owns, without
     * recording a graph. DJL's {@code set(float[])} instead swaps the tensor's storage for a Java buffer and trips
     * libtorch's deprecated AutoNonVariableTypeMode guard, whose 560-character warning every command printed first.
     */
    public static void assign(NDArray target, float[] values) {
        if (values.length != target.size()) {
            throw new IllegalArgumentException(values.length + " values for an array of shape " + target.getShape());
        }
        try (GradMode noGrad = noGrad();
                NDArray source = target.getManager().create(values, target.getShape());
                NDArray typed = source.toType(target.getDataType(), true)) {
            target.set(new NDIndex("..."), typed);
        }
    }

    /** Sets a leaf's accumulated gradient to zero in place. */
    public static void zeroGrad(NDArray leaf) {
        JniUtils.zeroGrad((PtNDArray) leaf);
    }

    /** The scoped grad mode. */
    public static final class GradMode implements AutoCloseable {
        private final boolean previous;

        private GradMode(boolean enabled) {
            TorchRuntime.engine();
            previous = JniUtils.isGradMode();
            JniUtils.setGradMode(enabled);
        }

        @Override
        public void close() {
            JniUtils.setGradMode(previous);
        }
    }
}
