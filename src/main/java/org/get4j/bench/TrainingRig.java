package org.get4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.get4j.model.Generator;
import org.get4j.model.ModelConfig;
import org.get4j.optim.AdamW;
import org.get4j.optim.Ema;
import org.get4j.train.DistillationStep;
import org.get4j.train.TrainConfig;

/**
 * What the training benchmarks drive: a model (engine seed 0), its EMA shadow, AdamW and the reference step with
 * {@code unroll} unrolled states for GET (the reference: 6; {@code environment/experiment-mnist}'s default recipe: 2),
 * and one synthetic batch (noise, targets in [-1, 1], labels when conditional) for measurements that reuse a batch.
 */
final class TrainingRig {
    final Generator model;
    final AdamW optimizer;
    final Ema ema;
    final DistillationStep step;
    final ParameterStore ps;
    final NDArray noise;
    final NDArray target;
    final NDArray labels;

    TrainingRig(NDManager m, ModelConfig config, int batch, int unroll, boolean emaWarmup) {
        m.getEngine().setRandomSeed(0);
        model = Generator.create(config, m);
        optimizer = AdamW.withDefaults(model.trainableArrays(), 0);
        ema = new Ema(Generator.create(config, m).trainableArrays(), model.trainableArrays(), 0.9999, emaWarmup);
        TrainConfig recipe = TrainConfig.reference(1, batch).toBuilder().unroll(unroll).build();
        step = new DistillationStep(model, optimizer, recipe);
        ps = new ParameterStore(m, false);
        Shape image = new Shape(batch, config.channels(), config.imageSize(), config.imageSize());
        noise = m.randomNormal(image);
        target = m.randomNormal(image).clip(-1, 1);
        labels = config.numClasses() > 0
                ? m.randomInteger(0, config.numClasses(), new Shape(batch), DataType.INT64) : null;
    }

    /** One reference step on the rig's batch (the update itself is part of what is timed). */
    void trainOnBatch() {
        step.step(ps, noise, labels, target, null, 1e-4);
    }
}
