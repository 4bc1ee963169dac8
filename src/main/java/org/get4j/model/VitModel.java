package org.get4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.get4j.deq.SolverConfig;
import org.get4j.nn.GetBlock;
import org.get4j.runtime.Torch;

/**
 * The ViT baseline: the same embedding, blocks and decoder as GET, but {@code depth} distinct blocks applied once
 * (DiT-style blocks; the class embedding is added to every block's QKV; no injection, no equilibrium).
 */
public final class VitModel extends Generator {
    private final List<GetBlock> blocks = new ArrayList<>();

    VitModel(ModelConfig config) {
        super(config);
        for (int l = 0; l < config.depth(); l++) {
            blocks.add(addChildBlock("blocks." + l, new GetBlock(config.width(), config.heads(), config.mlpRatio())));
        }
    }

    private NDArray forwardTokens(ParameterStore ps, NDArray noise, NDArray labels, boolean training) {
        NDArray x = embed(ps, noise, training);
        NDArray c = classEmbedding(ps, labels, training);
        for (GetBlock block : blocks) {
            x = block.forward(ps, c == null ? new NDList(x) : new NDList(x, c), training).singletonOrThrow();
        }
        return decode(ps, x, training);
    }

    @Override
    public Supervised trainForward(ParameterStore ps, NDArray noise, NDArray labels, NDArray z0, Supervision how) {
        return new Supervised(List.of(forwardTokens(ps, noise, labels, true)), null, null);
    }

    @Override
    public Sample sample(ParameterStore ps, NDArray noise, NDArray labels, NDArray z0, SolverConfig solver) {
        try (Torch.GradMode noGrad = Torch.noGrad()) {
            return new Sample(forwardTokens(ps, noise, labels, false), null);
        }
    }

    @Override
    protected void bodyStateDict(Map<String, Parameter> out) {
        for (int l = 0; l < blocks.size(); l++) {
            blocks.get(l).stateDict("blocks." + l + ".", out);
        }
    }

    @Override
    protected void initializeBody(NDManager manager, DataType dataType, Shape tokens) {
        Shape bias = new Shape(tokens.get(0), tokens.get(1), 3L * config.width());
        for (GetBlock b : blocks) {
            b.initialize(manager, dataType, tokens, bias);
        }
    }
}
