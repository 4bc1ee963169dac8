package org.get4j.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import org.get4j.model.Presets;
import org.get4j.train.DistillationStep;
import org.get4j.train.TrainConfig;
import org.junit.jupiter.api.Test;

/** Issue 19: notebook 03 trains the paper's GET-T on a GPU and GET-Mini on a CPU, with the same code. */
class TrainingScaleTest {
    @Test
    void theCpuScaleIsTheRunNotebook03Published() {
        TrainingScale cpu = TrainingScale.forDevice(Device.cpu());
        assertEquals("GET-Mini", cpu.studentName());
        assertEquals(Presets.get("GET-Mini", 0).withZ0Scale(0), cpu.student());
        assertEquals(Notebooks.size(64, 2000), cpu.pairs());
        assertEquals(DistillationStep.Distance.L2, cpu.config().distance());
        assertEquals(5e-4, cpu.config().lr());
        assertEquals(Notebooks.size(12, 600), cpu.config().steps());
    }

    @Test
    void theGpuScaleIsThePapersGetTAtThePapersBatch() {
        TrainingScale gpu = TrainingScale.forDevice(Device.gpu());
        var getT = Presets.get("GET-T", 0);
        assertEquals("GET-T", gpu.studentName());
        assertEquals(getT.toBuilder().channels(1).build().withZ0Scale(0), gpu.student(), "GET-T with MNIST's channel");
        assertEquals(Notebooks.size(16, TrainConfig.REFERENCE_BATCH), gpu.config().batch());
        TrainConfig reference = TrainConfig.reference(gpu.config().steps(), gpu.config().batch());
        assertEquals(reference.toBuilder().emaWarmup(true).build(), gpu.config(), "the paper's recipe");
        String line = TrainingScale.cpu().describe();
        assertTrue(line.startsWith("CPU: GET-Mini (") && line.contains("On a GPU it would train GET-T ("), line);
    }
}
