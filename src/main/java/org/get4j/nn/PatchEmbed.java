package org.get4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import java.util.Map;

/**
 * Image (B, C, H, W) to tokens (B, N, D): a p x p convolution with stride p, flattened row-major, so token
 * t = i * (W/p) + j covers pixels [i p, (i+1) p) x [j p, (j+1) p).
 */
public final class PatchEmbed extends AbstractBlock {
    private final Conv2d proj;

    public PatchEmbed(int patch, int width) {
        proj = addChildBlock("proj", Conv2d.builder().setKernelShape(new Shape(patch, patch))
                .optStride(new Shape(patch, patch)).setFilters(width).build());
        proj.setInitializer(new XavierUniform(), Parameter.Type.WEIGHT);
        proj.setInitializer(new ConstantInitializer(0), Parameter.Type.BIAS);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
        NDArray x = proj.forward(ps, inputs, training).singletonOrThrow(); // (B, D, H/p, W/p)
        Shape s = x.getShape();
        return new NDList(x.reshape(s.get(0), s.get(1), s.get(2) * s.get(3)).transpose(0, 2, 1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        Shape conv = proj.getOutputShapes(inputs)[0];
        return new Shape[] {new Shape(conv.get(0), conv.get(2) * conv.get(3), conv.get(1))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        proj.initialize(manager, dataType, inputShapes);
    }

    public void stateDict(String prefix, Map<String, Parameter> out) {
        StateDicts.put(out, prefix + "proj", proj);
    }
}
