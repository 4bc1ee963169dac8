package org.get4j.nn;

import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.initializer.ConstantInitializer;

/** The two layer kinds every GET module uses, initialised as the reference does. */
public final class Layers {
    private Layers() {}

    /** Linear with an xavier-uniform weight (whole matrix) and a zero bias. */
    public static Linear linear(int units, boolean bias) {
        Linear l = Linear.builder().setUnits(units).optBias(bias).build();
        l.setInitializer(new XavierUniform(), Parameter.Type.WEIGHT);
        if (bias) {
            l.setInitializer(new ConstantInitializer(0), Parameter.Type.BIAS);
        }
        return l;
    }

    /** Linear with weight and bias zero: the decoder's, so an untrained model outputs exactly zero. */
    public static Linear zeroLinear(int units) {
        Linear l = Linear.builder().setUnits(units).build();
        l.setInitializer(new ConstantInitializer(0), Parameter.Type.WEIGHT);
        l.setInitializer(new ConstantInitializer(0), Parameter.Type.BIAS);
        return l;
    }

    /** LayerNorm over the width of (B, N, D) tokens, eps 1e-6, weight 1 and bias 0. */
    public static LayerNorm layerNorm() {
        return LayerNorm.builder().axis(2).optEpsilon(1e-6f).build();
    }
}
