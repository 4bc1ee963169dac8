package org.get4j.ablation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.get4j.Get4jException;
import org.get4j.metrics.TrainingCurve;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

class TrainingCostTest {
    @TempDir
    Path dir;

    /** A finished arm as get4j train and get4j curve leave it. */
    private Path arm(String name, String rates) throws Exception {
        Path run = Files.createDirectories(dir.resolve(name));
        Files.writeString(run.resolve("run.json"), "{\"kind\":\"distillation\",\"train\":{\"batch\":64}}");
        StringBuilder metrics = new StringBuilder("step,loss,images_per_second,elapsed_ms\n");
        String[] r = rates.split(" ");
        for (int i = 0; i < r.length; i++) {
            metrics.append((i + 1) * 10).append(",0.5,").append(r[i]).append(",0\n");
        }
        Files.writeString(run.resolve("metrics.csv"), metrics);
        Files.writeString(run.resolve("cost.json"), "{\"steps\":3000,\"train_seconds\":3601.5,\"peak_rss_mib\":1800}");
        Files.writeString(run.resolve(TrainingCurve.FILE), "mark_seconds,step,train_seconds,samples,metric,solver,fd,"
                + "fd_low,fd_high,snapshot_sha256\n"
                + "3600,3000,3601.5,2000,FD-LeNet-MNIST,abc,70.5,68.0,73.1,ff\n"
                + "1800,1500,1800.2,2000,FD-LeNet-MNIST,abc,98.4,95.1,101.9,ee\n");
        return run;
    }

    @Test
    void anArmReadsAsCostPerStepMemoryAndFdAtEachMark() throws Exception {
        TrainingCost.Summary s = TrainingCost.summarise("GET-Mini, last 2 of 6", arm("a", "60 100 80 90 200"));
        assertEquals(64 / 90.0, s.medianStepSeconds(), 1e-12, "64 images at the median 90 images/s");
        assertEquals(1800, s.peakRssMiB());
        assertEquals(List.of(1800.0, 3600.0), s.curve().stream().map(TrainingCurve.Point::markSeconds).toList());
        assertEquals(98.4, s.at(1800).fd());
        assertNull(s.at(900));
        Table t = TrainingCost.table(List.of(s), 1800, 3600, 900);
        assertEquals("98.4 [95.1, 101.9]", t.stringColumn("FD at 30 min").get(0));
        assertEquals("70.5 [68.0, 73.1]", t.stringColumn("FD at 60 min").get(0));
        assertEquals("-", t.stringColumn("FD at 15 min").get(0));
        assertEquals(0.711, t.doubleColumn("median s/step").get(0), 1e-12);
        assertNull(s.model());
        assertEquals(true, t.longColumn("params").isMissing(0), "no model in run.json: no size");
        assertEquals("FD at 1.5 min", TrainingCost.table(List.of(s), 90).columnNames().get(7));
        assertEquals("FD at 40 s", TrainingCost.table(List.of(s), 40).columnNames().get(7));
    }

    /** An arm's size comes from the model its run.json records: parameters and GMACs per image (GET at 6). */
    @Test
    void anArmsSizeIsItsRecordedModels() throws Exception {
        Path run = arm("b", "100");
        org.get4j.model.ModelConfig get = org.get4j.model.Presets.get("GET-Mini", 0);
        Files.writeString(run.resolve("run.json"), new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(
                java.util.Map.of("kind", "distillation", "train", java.util.Map.of("batch", 64), "model", get.toMap())));
        TrainingCost.Summary s = TrainingCost.summarise("GET-Mini", run);
        assertEquals(get, s.model());
        Table t = TrainingCost.table(List.of(s), 1800);
        assertEquals(1_151_504, t.longColumn("params").get(0));
        assertEquals(Math.round(get.inferenceMacs(6) / 1e6) / 1e3, t.doubleColumn("GMACs").get(0), 0);
    }

    @Test
    void aFolderWithoutAFinishedRunIsNamed() {
        Get4jException e = assertThrows(Get4jException.class, () -> TrainingCost.summarise("x", dir));
        assertEquals(true, e.getMessage().contains(dir.toString()) && e.getMessage().contains("cost.json"));
    }
}
