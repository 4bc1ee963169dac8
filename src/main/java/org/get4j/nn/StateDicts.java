package org.get4j.nn;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.Map;

/** Maps DJL's parameter names to PyTorch's: LayerNorm gamma/beta are weight/bias; Linear and Conv keep theirs. */
public final class StateDicts {
    private StateDicts() {}

    /** Adds {@code prefix.weight} and {@code prefix.bias} (when present) of a Linear, Conv or LayerNorm block. */
    public static void put(Map<String, Parameter> out, String prefix, Block block) {
        for (var p : block.getDirectParameters()) {
            String name = switch (p.getKey()) {
                case "gamma", "weight" -> "weight";
                case "beta", "bias" -> "bias";
                default -> throw new IllegalStateException("unexpected parameter " + p.getKey() + " in " + prefix);
            };
            out.put(prefix + "." + name, p.getValue());
        }
    }
}
