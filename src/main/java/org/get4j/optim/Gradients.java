package org.get4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import java.util.List;
import org.get4j.runtime.Torch;

/** Whole-model views of the gradients that a backward pass left on the parameters. */
public final class Gradients {
    private Gradients() {
    }

    /**
     * sum_p ||grad p||^2 over all parameters, reduced on the engine and read back once (one host read per step, not
     * one per parameter). NaN or infinite when any gradient entry is.
     */
    public static double squaredNorm(List<NDArray> parameters) {
        try (Torch.GradMode noGrad = Torch.noGrad(); NDScope scope = new NDScope()) {
            NDList sums = new NDList(parameters.size());
            for (NDArray p : parameters) {
                sums.add(p.getGradient().square().sum());
            }
            return NDArrays.stack(sums).toType(ai.djl.ndarray.types.DataType.FLOAT64, false).sum().getDouble();
        }
    }
}
