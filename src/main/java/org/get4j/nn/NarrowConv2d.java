package org.get4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * A same-padded k x k convolution, stride 1, that stays exact when it has few output channels (a U-Net's image
 * output). Parameters "weight" (out, in, k, k) and "bias" (out), as DJL's {@link Conv2d}, so checkpoints are
 * unchanged; the bias starts at zero.
 *
 * <p>Why not {@link Conv2d}: libtorch 2.7.1's CPU backward of a convolution with few output channels returns wrong,
 * sometimes NaN, input gradients on some hosts (seen on an AVX-512 AMD EPYC, 2026-12-02: with one output channel, 11
 * of 200 backward calls were NaN when NarrowConv2dTest's check was pointed at Conv2d). Here the weight is padded with
 * zero filters to a multiple of 16 and the first {@code out} channels are kept: the same values and gradients
 * (NarrowConv2dTest), without that path.
 */
public final class NarrowConv2d extends AbstractBlock {
    static final int CHANNEL_BLOCK = 16;

    private final int out;
    private final int kernel;
    private final Parameter weight;
    private final Parameter bias;

    /** Weights that start at zero (EDM's last layer). */
    public NarrowConv2d(int in, int out, int kernel) {
        this.out = out;
        this.kernel = kernel;
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(out, in, kernel, kernel)).optInitializer(Initializer.ZEROS).build());
        bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(out)).optInitializer(Initializer.ZEROS).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
        NDArray x = inputs.singletonOrThrow();
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray b = ps.getValue(bias, x.getDevice(), training);
        int padded = (out + CHANNEL_BLOCK - 1) / CHANNEL_BLOCK * CHANNEL_BLOCK;
        if (padded != out) {
            Shape ws = w.getShape();
            NDManager m = x.getManager();
            w = NDArrays.concat(new NDList(w, m.zeros(new Shape(padded - out, ws.get(1), kernel, kernel),
                    w.getDataType(), x.getDevice())), 0);
            b = NDArrays.concat(new NDList(b, m.zeros(new Shape(padded - out), b.getDataType(), x.getDevice())), 0);
        }
        NDArray y = Conv2d.conv2d(x, w, b, new Shape(1, 1), new Shape(kernel / 2, kernel / 2), new Shape(1, 1), 1)
                .singletonOrThrow();
        return new NDList(padded == out ? y : y.get(new NDIndex(":, :{}", out)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape x = inputShapes[0];
        return new Shape[] {new Shape(x.get(0), out, x.get(2), x.get(3))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // parameters only
    }
}
