package org.get4j.notebook;

import ai.djl.Device;
import org.get4j.model.ModelConfig;
import org.get4j.model.Presets;
import org.get4j.train.DistillationStep;
import org.get4j.train.TrainConfig;

/**
 * How big notebook 03's distillation is on the device it runs on; the code that trains is the same on both.
 *
 * <p>CPU (two cores, ten minutes): GET-Mini on 2,000 pairs, 600 steps of batch 64, with the changes a run that short
 * needs (learning rate 5e-4 after 50 warm-up steps, EMA 0.999 with warm-up, L2). GPU: the paper's GET-T (width 256,
 * 6 injection and 3 equilibrium blocks, 2x2 patches: 256 tokens) on 20,000 pairs, 20,000 steps of the paper's batch
 * 128 with its recipe (AdamW 1e-4, L1, EMA 0.9999, here with warm-up): 2.56 M pair presentations, about 128 passes,
 * which one data-centre GPU runs in well under an hour. Both start the state at z0 = 0 (notebook 03 says why).
 * Quick mode (CI) shrinks either to a few steps.
 */
public record TrainingScale(String device, String studentName, ModelConfig student, int pairs, TrainConfig config) {
    /** The scale for a device: the GPU one on a GPU, else the CPU one. */
    public static TrainingScale forDevice(Device device) {
        return device.isGpu() ? gpu() : cpu();
    }

    public static TrainingScale cpu() {
        int steps = Notebooks.size(12, 600);
        TrainConfig config = TrainConfig.reference(steps, Notebooks.size(16, 64)).toBuilder().lr(5e-4).warmup(50)
                .emaDecay(0.999).emaWarmup(true).distance(DistillationStep.Distance.L2).build();
        return new TrainingScale("CPU", "GET-Mini", Presets.get("GET-Mini", 0).withZ0Scale(0), Notebooks.size(64, 2000),
                config);
    }

    public static TrainingScale gpu() {
        int steps = Notebooks.size(12, 20_000);
        TrainConfig config = TrainConfig.reference(steps, Notebooks.size(16, TrainConfig.REFERENCE_BATCH)).toBuilder()
                .emaWarmup(true).build();
        ModelConfig getT = Presets.get("GET-T", 0).toBuilder().channels(1).build().withZ0Scale(0); // MNIST: 1 channel
        return new TrainingScale("GPU", "GET-T", getT, Notebooks.size(64, 20_000), config);
    }

    /** One line: what runs here, and what would run on the other kind of device. */
    public String describe() {
        TrainingScale other = device.equals("GPU") ? cpu() : gpu();
        return String.format("%s: %s. On a %s it would train %s.", device, summary(), other.device, other.summary());
    }

    private String summary() {
        return String.format("%s (%,d parameters) on %,d pairs, %,d steps of batch %d, lr %s, %s", studentName,
                student.parameterCount(), pairs, config.steps(), config.batch(), config.lr(), config.distance());
    }
}
