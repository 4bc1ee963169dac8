package org.get4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/**
 * PyTorch's {@code xavier_uniform_} on the weight viewed as a matrix (out, in): U(-a, a) with
 * a = sqrt(6 / (fan_in + fan_out)), fan_out = shape[0], fan_in = the product of the other dimensions. For a conv
 * weight this is the reference's "xavier on the weight viewed as (D, C*p*p)", not PyTorch's conv default.
 */
public final class XavierUniform implements Initializer {
    @Override
    public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
        long fanOut = shape.get(0);
        long fanIn = shape.size() / fanOut;
        float bound = (float) Math.sqrt(6.0 / (fanIn + fanOut));
        return manager.randomUniform(-bound, bound, shape, dataType);
    }
}
