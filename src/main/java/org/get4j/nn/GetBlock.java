package org.get4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.get4j.runtime.AttentionKernel;
import org.get4j.runtime.Torch;

/**
 * The GET transformer block (pre-LayerNorm, eps 1e-6, exact erf GELU):
 *
 * <pre>
 *   x = x + Attn(LN1(x), b)          qkv = Linear(D, 3D)(a) + b;  [q | k | v], heads contiguous
 *   x = x + MLP(LN2(x))              MLP = Linear(D, rD) -> GELU -> Linear(rD, D)
 * </pre>
 *
 * The optional second input b is ADDED TO THE QKV PROJECTION: the class embedding c (B, 1, 3D) and, in the
 * equilibrium blocks, the injection u (B, N, 3D), summed once by the caller. Neither touches the token stream.
 * Inputs: [x (B, N, D)] or [x, b] (LayerNorm normalises axis 2, the width). Initialisation as the reference: Linear weights xavier-uniform over the whole
 * matrix, biases zero, LayerNorm weight 1 and bias 0.
 */
public final class GetBlock extends AbstractBlock {
    private final int width;
    private final int heads;
    private final LayerNorm norm1;
    private final Linear qkv;
    private final Linear proj;
    private final LayerNorm norm2;
    private final Linear fc1;
    private final Linear fc2;

    public GetBlock(int width, int heads, double mlpRatio) {
        if (width % heads != 0) {
            throw new IllegalArgumentException("width " + width + " is not divisible by heads " + heads);
        }
        this.width = width;
        this.heads = heads;
        int hidden = (int) Math.round(width * mlpRatio);
        norm1 = addChildBlock("norm1", Layers.layerNorm());
        qkv = addChildBlock("attn.qkv", Layers.linear(3 * width, true));
        proj = addChildBlock("attn.proj", Layers.linear(width, true));
        norm2 = addChildBlock("norm2", Layers.layerNorm());
        fc1 = addChildBlock("mlp.fc1", Layers.linear(hidden, true));
        fc2 = addChildBlock("mlp.fc2", Layers.linear(width, true));
    }

    /** The parameters under the reference's state-dict names, {@code prefix} + e.g. "attn.qkv.weight". */
    public void stateDict(String prefix, java.util.Map<String, Parameter> out) {
        StateDicts.put(out, prefix + "norm1", norm1);
        StateDicts.put(out, prefix + "attn.qkv", qkv);
        StateDicts.put(out, prefix + "attn.proj", proj);
        StateDicts.put(out, prefix + "norm2", norm2);
        StateDicts.put(out, prefix + "mlp.fc1", fc1);
        StateDicts.put(out, prefix + "mlp.fc2", fc2);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray qkvBias = inputs.size() > 1 ? inputs.get(1) : null;
        x = x.add(attention(ps, norm1(ps, x, training), qkvBias, training));
        return new NDList(x.add(mlp(ps, norm2(ps, x, training), training)));
    }

    /** LN1, before the attention branch. */
    public NDArray norm1(ParameterStore ps, NDArray x, boolean training) {
        return norm1.forward(ps, new NDList(x), training).singletonOrThrow();
    }

    /** LN2, before the MLP branch. */
    public NDArray norm2(ParameterStore ps, NDArray x, boolean training) {
        return norm2.forward(ps, new NDList(x), training).singletonOrThrow();
    }

    /** The MLP branch: Linear(D, rD) -> GELU (erf) -> Linear(rD, D). */
    public NDArray mlp(ParameterStore ps, NDArray a, boolean training) {
        NDArray h = fc1.forward(ps, new NDList(a), training).singletonOrThrow();
        return fc2.forward(ps, new NDList(Activation.gelu(h)), training).singletonOrThrow();
    }

    /** The attention branch: softmax(q k^T / sqrt(D/h)) v per head, then the output projection. */
    public NDArray attention(ParameterStore ps, NDArray a, NDArray qkvBias, boolean training) {
        int headDim = width / heads;
        NDArray t = qkv.forward(ps, new NDList(a), training).singletonOrThrow();
        if (qkvBias != null) {
            t = t.add(qkvBias);
        }
        // softmax(q k^T / sqrt(D/h)) v per head, by the kernel in use (java: the reference's operations one by one)
        NDArray out = AttentionKernel.current().apply(t, heads, Torch.constant(t, 1.0 / Math.sqrt(headDim)));
        return proj.forward(ps, new NDList(out), training).singletonOrThrow();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(ai.djl.ndarray.NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        Shape hiddenShape = new Shape(x.get(0), x.get(1), fc1.getOutputShapes(new Shape[] {x})[0].tail());
        norm1.initialize(manager, dataType, x);
        qkv.initialize(manager, dataType, x);
        proj.initialize(manager, dataType, x);
        norm2.initialize(manager, dataType, x);
        fc1.initialize(manager, dataType, x);
        fc2.initialize(manager, dataType, hiddenShape);
    }

    /** Multiply-accumulates of one block per sample: N D^2 (4 + 2r) + 2 N^2 D. */
    public static long macs(long tokens, long width, double mlpRatio) {
        return Math.round(tokens * width * width * (4 + 2 * mlpRatio)) + 2 * tokens * tokens * width;
    }
}
