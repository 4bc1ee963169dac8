package org.get4j.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import org.get4j.nn.GroupNorm;
import org.get4j.nn.Layers;
import org.get4j.nn.NarrowConv2d;
import org.get4j.nn.XavierUniform;
import org.get4j.runtime.Torch;

/**
 * A small U-Net backbone F(x, c_noise, class) for the neural EDM teacher (three resolutions, one residual block
 * each way, channels c, 2c, 2c). The noise level enters as a sinusoidal embedding of c_noise through an MLP, the
 * class (if any) as a learned embedding added to it; every residual block adds a projection of the embedding to
 * its features. Inputs: [x (B, C, H, W), c_noise (B,)] or with labels (B,) third. H, W divisible by 4.
 */
public final class UNet extends AbstractBlock {
    private final int base;
    private final int embDim;
    private final int numClasses;
    private final Linear emb1;
    private final Linear emb2;
    private final Parameter classTable;
    private final Conv2d convIn;
    private final ResBlock down1;
    private final ResBlock down2;
    private final ResBlock mid1;
    private final ResBlock mid2;
    private final ResBlock up2;
    private final ResBlock up1;
    private final GroupNorm normOut;
    private final NarrowConv2d convOut;

    public UNet(int channels, int base, int numClasses) {
        this.base = base;
        this.embDim = 4 * base;
        this.numClasses = numClasses;
        emb1 = addChildBlock("emb1", Layers.linear(embDim, true));
        emb2 = addChildBlock("emb2", Layers.linear(embDim, true));
        classTable = numClasses == 0 ? null : addParameter(Parameter.builder().setName("class_table")
                .setType(Parameter.Type.WEIGHT).optShape(new Shape(numClasses, embDim))
                .optInitializer(new ai.djl.training.initializer.NormalInitializer(1f)).build());
        convIn = addChildBlock("conv_in", conv(base, 3));
        down1 = addChildBlock("down1", new ResBlock(base, base, embDim));
        down2 = addChildBlock("down2", new ResBlock(base, 2 * base, embDim));
        mid1 = addChildBlock("mid1", new ResBlock(2 * base, 2 * base, embDim));
        mid2 = addChildBlock("mid2", new ResBlock(2 * base, 2 * base, embDim));
        up2 = addChildBlock("up2", new ResBlock(4 * base, 2 * base, embDim));
        up1 = addChildBlock("up1", new ResBlock(3 * base, base, embDim));
        normOut = addChildBlock("norm_out", new GroupNorm(groups(base), base));
        convOut = addChildBlock("conv_out", new NarrowConv2d(base, channels, 3)); // starts at zero
    }

    /** The class embedding table (classes, embedding), or empty when unconditional. */
    java.util.Optional<Parameter> classTable() {
        return java.util.Optional.ofNullable(classTable);
    }

    /** x sigmoid(x). */
    static NDArray silu(NDArray x) {
        return x.mul(ai.djl.nn.Activation.sigmoid(x));
    }

    static int groups(int channels) {
        return Math.min(8, channels / 4);
    }

    static Conv2d conv(int filters, int kernel) {
        Conv2d c = Conv2d.builder().setKernelShape(new Shape(kernel, kernel)).optPadding(new Shape(kernel / 2, kernel / 2))
                .setFilters(filters).build();
        c.setInitializer(new XavierUniform(), Parameter.Type.WEIGHT);
        c.setInitializer(new ConstantInitializer(0), Parameter.Type.BIAS);
        return c;
    }

    /** [cos(c f_i), sin(c f_i)] with f_i = 10000^(-i / (n/2 - 1)), EDM's positional embedding of c_noise. */
    private NDArray noiseEmbedding(NDArray cNoise) {
        int half = base / 2;
        float[] freqs = new float[half];
        for (int i = 0; i < half; i++) {
            freqs[i] = (float) Math.pow(10000, -(double) i / Math.max(half - 1, 1));
        }
        NDArray f = cNoise.getManager().create(freqs).reshape(1, half);
        NDArray angles = cNoise.toType(DataType.FLOAT32, false).reshape(-1, 1).matMul(f);
        return NDArrays.concat(new NDList(angles.cos(), angles.sin()), 1);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
        NDArray x = inputs.get(0);
        NDArray emb = noiseEmbedding(inputs.get(1));
        emb = emb1.forward(ps, new NDList(emb), training).singletonOrThrow();
        emb = emb2.forward(ps, new NDList(silu(emb)), training).singletonOrThrow();
        if (classTable != null) {
            if (inputs.size() < 3) {
                throw new IllegalArgumentException("a conditional U-Net needs labels");
            }
            NDArray table = ps.getValue(classTable, x.getDevice(), training);
            emb = emb.add(inputs.get(2).toType(DataType.INT64, false).oneHot(numClasses, DataType.FLOAT32).matMul(table));
        }
        emb = silu(emb);
        NDArray h0 = convIn.forward(ps, new NDList(x), training).singletonOrThrow();
        NDArray h1 = down1.apply(ps, h0, emb, training);
        NDArray h2 = down2.apply(ps, pool(h1), emb, training);
        NDArray h3 = mid2.apply(ps, mid1.apply(ps, pool(h2), emb, training), emb, training);
        NDArray u2 = up2.apply(ps, NDArrays.concat(new NDList(upsample(h3), h2), 1), emb, training);
        NDArray u1 = up1.apply(ps, NDArrays.concat(new NDList(upsample(u2), h1), 1), emb, training);
        NDArray out = silu(normOut.forward(ps, new NDList(u1), training).singletonOrThrow());
        return convOut.forward(ps, new NDList(out), training);
    }

    private static NDArray pool(NDArray x) {
        return Pool.avgPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false, true);
    }

    private static NDArray upsample(NDArray x) {
        return x.repeat(2, 2).repeat(3, 2);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        long b = x.get(0);
        long h = x.get(2);
        long w = x.get(3);
        emb1.initialize(manager, dataType, new Shape(b, base));
        emb2.initialize(manager, dataType, new Shape(b, embDim));
        convIn.initialize(manager, dataType, x);
        Shape e = new Shape(b, embDim);
        down1.initialize(manager, dataType, new Shape(b, base, h, w), e);
        down2.initialize(manager, dataType, new Shape(b, base, h / 2, w / 2), e);
        mid1.initialize(manager, dataType, new Shape(b, 2L * base, h / 4, w / 4), e);
        mid2.initialize(manager, dataType, new Shape(b, 2L * base, h / 4, w / 4), e);
        up2.initialize(manager, dataType, new Shape(b, 4L * base, h / 2, w / 2), e);
        up1.initialize(manager, dataType, new Shape(b, 3L * base, h, w), e);
        normOut.initialize(manager, dataType, new Shape(b, base, h, w));
        convOut.initialize(manager, dataType, new Shape(b, base, h, w));
    }

    /** GN, SiLU, conv; add the embedding's projection; GN, SiLU, conv; plus the (1x1-projected) input. */
    static final class ResBlock extends AbstractBlock {
        private final GroupNorm norm1;
        private final Conv2d conv1;
        private final Linear embProj;
        private final GroupNorm norm2;
        private final Conv2d conv2;
        private final Conv2d skip;
        private final int in;
        private final int out;

        ResBlock(int in, int out, int embDim) {
            this.in = in;
            this.out = out;
            norm1 = addChildBlock("norm1", new GroupNorm(groups(in), in));
            conv1 = addChildBlock("conv1", conv(out, 3));
            embProj = addChildBlock("emb", Layers.linear(out, true));
            norm2 = addChildBlock("norm2", new GroupNorm(groups(out), out));
            conv2 = addChildBlock("conv2", conv(out, 3));
            skip = in == out ? null : addChildBlock("skip", conv(out, 1));
        }

        NDArray apply(ParameterStore ps, NDArray x, NDArray emb, boolean training) {
            return forward(ps, new NDList(x, emb), training).singletonOrThrow();
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                PairList<String, Object> p) {
            NDArray x = inputs.get(0);
            NDArray emb = inputs.get(1);
            NDArray h = silu(norm1.forward(ps, new NDList(x), training).singletonOrThrow());
            h = conv1.forward(ps, new NDList(h), training).singletonOrThrow();
            NDArray e = embProj.forward(ps, new NDList(emb), training).singletonOrThrow();
            h = h.add(e.reshape(e.getShape().get(0), out, 1, 1));
            h = silu(norm2.forward(ps, new NDList(h), training).singletonOrThrow());
            h = conv2.forward(ps, new NDList(h), training).singletonOrThrow();
            NDArray s = skip == null ? x : skip.forward(ps, new NDList(x), training).singletonOrThrow();
            NDArray sum = h.add(s);
            return new NDList(sum.mul(Torch.constant(sum, Math.sqrt(0.5))));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            Shape x = inputShapes[0];
            return new Shape[] {new Shape(x.get(0), out, x.get(2), x.get(3))};
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            Shape x = inputShapes[0];
            Shape o = new Shape(x.get(0), out, x.get(2), x.get(3));
            norm1.initialize(manager, dataType, x);
            conv1.initialize(manager, dataType, x);
            embProj.initialize(manager, dataType, inputShapes[1]);
            norm2.initialize(manager, dataType, o);
            conv2.initialize(manager, dataType, o);
            if (skip != null) {
                skip.initialize(manager, dataType, x);
            }
        }
    }
}
