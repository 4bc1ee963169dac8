package org.get4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Map;

/**
 * Tokens (B, N, D) back to an image (B, C, H, W): LayerNorm, then a ZERO-initialised Linear(D, p*p*C), then
 * unpatchify with each token's p*p*C values laid out as (py, px, channel), channel fastest.
 */
public final class FinalLayer extends AbstractBlock {
    private final LayerNorm norm;
    private final Linear linear;
    private final int patch;
    private final int channels;
    private final int gridH;
    private final int gridW;

    public FinalLayer(int patch, int channels, int gridH, int gridW) {
        this.patch = patch;
        this.channels = channels;
        this.gridH = gridH;
        this.gridW = gridW;
        norm = addChildBlock("norm_final", Layers.layerNorm());
        linear = addChildBlock("linear", Layers.zeroLinear(patch * patch * channels));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
        NDArray x = norm.forward(ps, inputs, training).singletonOrThrow();
        x = linear.forward(ps, new NDList(x), training).singletonOrThrow();
        return new NDList(unpatchify(x));
    }

    /** (B, N, p*p*C) with per-token layout (py, px, c) to (B, C, H, W). */
    public NDArray unpatchify(NDArray x) {
        long b = x.getShape().get(0);
        return x.reshape(b, gridH, gridW, patch, patch, channels)
                .transpose(0, 5, 1, 3, 2, 4)
                .reshape(b, channels, (long) gridH * patch, (long) gridW * patch);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return new Shape[] {new Shape(inputs[0].get(0), channels, (long) gridH * patch, (long) gridW * patch)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        norm.initialize(manager, dataType, inputShapes);
        linear.initialize(manager, dataType, inputShapes);
    }

    public void stateDict(String prefix, Map<String, Parameter> out) {
        StateDicts.put(out, prefix + "norm_final", norm);
        StateDicts.put(out, prefix + "linear", linear);
    }
}
