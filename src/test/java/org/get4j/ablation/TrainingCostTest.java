package org.get4j.ablation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        assertEquals(145 / 80.0, s.rateDrift(), 1e-12, "rows 4-5 (median 145) over rows 1-2 (median 80); the middle row in neither");
        assertEquals(1.81, t.doubleColumn("rate, 2nd half / 1st").get(0), 1e-12);
        assertTrue(Double.isNaN(TrainingCost.drift(new double[] {1, 2, 3})), "too few rows to say");
        assertNull(s.model());
        assertEquals(true, t.longColumn("params").isMissing(0), "no model in run.json: no size");
        assertEquals("FD at 1.5 min", TrainingCost.table(List.of(s), 90).columnNames().get(8));
        assertEquals("FD at 40 s", TrainingCost.table(List.of(s), 40).columnNames().get(8));
    }

    private static TrainingCost.Summary arm(String name, double[]... fdAtMarks) {
        List<TrainingCurve.Point> curve = new java.util.ArrayList<>();
        for (double[] p : fdAtMarks) { // {mark, fd, low, high}
            curve.add(new TrainingCurve.Point(p[0], 1, p[0], 2000, new org.get4j.metrics.FdEstimate(p[1], p[2], p[3], 2000)));
        }
        return new TrainingCost.Summary(name, null, 6, 64, 0.5, 1.0, 1000, 100, curve);
    }

    /** The frontier names the best arm at each mark, and does not rank the arms inside its interval below it. */
    @Test
    void theFrontierNamesTheBestArmAtEachMarkAndItsTies() {
        var vit = arm("vit", new double[] {300, 400, 390, 410}, new double[] {600, 200, 195, 205});
        var get = arm("last-1-of-6", new double[] {300, 350, 340, 360}, new double[] {600, 203, 198, 208});
        var slow = arm("reference", new double[] {300, 500, 490, 510}); // stopped before 10 minutes
        Table f = TrainingCost.frontier(List.of(vit, get, slow));
        assertEquals(List.of("5 min", "10 min"), f.stringColumn("training time").asList());
        assertEquals(List.of("last-1-of-6", "vit"), f.stringColumn("best arm").asList());
        assertEquals(List.of("350.0 [340.0, 360.0]", "200.0 [195.0, 205.0]"), f.stringColumn("its FD").asList());
        assertEquals(List.of("-", "last-1-of-6"), f.stringColumn("not distinguishable from it").asList(),
                "at 5 min every interval is disjoint from the best; at 10 min GET's overlaps the ViT's");
    }

    /**
     * A confirmation of some marks on 10,000 samples sits in the same file as the 2,000-sample curve: the curve, the
     * table and the frontier read one sample count at a time, and arms without a confirmation drop out of its table.
     */
    @Test
    void aLargerSampleConfirmationIsReadBesideTheCurveNotMixedIntoIt() throws Exception {
        Path run = arm("c", "100");
        Files.writeString(run.resolve(TrainingCurve.FILE), Files.readString(run.resolve(TrainingCurve.FILE))
                + "1800,1500,1800.2,10000,FD-LeNet-MNIST,abc,96.0,94.5,97.6,ee\n");
        TrainingCost.Summary s = TrainingCost.summarise("unroll-2", run);
        assertEquals(2000, s.curveSamples(), "two points on 2,000 samples, one on 10,000");
        assertEquals(List.of(1800.0, 3600.0), s.curve().stream().map(TrainingCurve.Point::markSeconds).toList());
        assertEquals(98.4, s.at(1800).fd());
        assertEquals(96.0, s.at(1800, 10000).fd());
        assertNull(s.at(3600, 10000));
        var unconfirmed = arm("vit", new double[] {1800, 90, 88, 92});
        Table t = TrainingCost.confirmation(List.of(s, unconfirmed), 10000, 1800, 3600);
        assertEquals(List.of("unroll-2"), t.stringColumn("arm").asList(), "only arms scored on 10,000 samples");
        assertEquals(List.of("96.0 [94.5, 97.6]"), t.stringColumn("FD at 30 min").asList());
        assertEquals(List.of("-"), t.stringColumn("FD at 60 min").asList());
        assertEquals(true, t.name().endsWith("FD on 10,000 samples"), t.name());
        Table f = TrainingCost.frontier(List.of(s, unconfirmed), 10000);
        assertEquals(List.of("30 min"), f.stringColumn("training time").asList());
        assertEquals(List.of("unroll-2"), f.stringColumn("best arm").asList(), "the ViT's 2,000-sample FD not used");
        assertEquals(List.of("vit"), TrainingCost.frontier(List.of(s, unconfirmed)).stringColumn("best arm").asList()
                .subList(0, 1), "on the curves, 90 at 30 min beats 98.4");
    }

    /** A table's columns: every mark some arm's curve reached, once each, in order; confirmations are not marks. */
    @Test
    void theMarksAreTheUnionOfTheCurves() {
        var a = arm("vit", new double[] {600, 200, 195, 205}, new double[] {300, 400, 390, 410});
        var b = arm("get", new double[] {300, 350, 340, 360}, new double[] {900, 150, 140, 160});
        assertArrayEquals(new double[] {300, 600, 900}, TrainingCost.marks(List.of(a, b)));
        assertArrayEquals(new double[0], TrainingCost.marks(List.of()));
    }

    /** Curves scored on different sample counts are not ranked against each other. */
    @Test
    void curvesOnDifferentSampleCountsAreRefused() {
        var a = arm("vit", new double[] {300, 400, 390, 410});
        List<TrainingCurve.Point> other = List.of(new TrainingCurve.Point(300, 1, 300, 500,
                new org.get4j.metrics.FdEstimate(350, 340, 360, 500)));
        var b = new TrainingCost.Summary("unroll-2", null, 2, 64, 0.5, 1.0, 1000, 100, other);
        Get4jException e = assertThrows(Get4jException.class, () -> TrainingCost.frontier(List.of(a, b)));
        assertEquals(true, e.getMessage().contains("{500=[unroll-2], 2000=[vit]}"), e.getMessage());
        assertThrows(Get4jException.class, () -> TrainingCost.table(List.of(a, b), 300));
    }

    /**
     * An arm's size comes from the model its run.json records: parameters, and GMACs per image with GET at the
     * iterations it samples with (those it trains through; 6 for the implicit gradient and for runs that record none).
     */
    @Test
    void anArmsSizeIsItsRecordedModelAtItsSamplingIterations() throws Exception {
        org.get4j.model.ModelConfig get = org.get4j.model.Presets.get("GET-Mini", 0);
        java.util.Map<java.util.Map<String, Object>, Integer> iterationsOf = new java.util.LinkedHashMap<>();
        iterationsOf.put(java.util.Map.of("batch", 64), 6); // a run.json from before these fields: the reference
        iterationsOf.put(java.util.Map.of("batch", 64, "unroll", 2, "gradient", "PHANTOM"), 2);
        iterationsOf.put(java.util.Map.of("batch", 64, "unroll", 1, "free_iterations", 2, "gradient", "PHANTOM"), 3);
        iterationsOf.put(java.util.Map.of("batch", 64, "unroll", 6, "gradient", "IMPLICIT"), 6);
        for (var e : iterationsOf.entrySet()) {
            Path run = arm("b" + e.getValue() + e.getKey().size(), "100");
            Files.writeString(run.resolve("run.json"), new com.fasterxml.jackson.databind.ObjectMapper()
                    .writeValueAsString(java.util.Map.of("kind", "distillation", "train", e.getKey(), "model", get.toMap())));
            TrainingCost.Summary s = TrainingCost.summarise("GET-Mini", run);
            assertEquals(get, s.model());
            assertEquals(e.getValue(), s.iterations(), e.getKey().toString());
            Table t = TrainingCost.table(List.of(s), 1800);
            assertEquals(1_151_504, t.longColumn("params").get(0));
            assertEquals(Math.round(get.inferenceMacs(e.getValue()) / 1e6) / 1e3, t.doubleColumn("GMACs").get(0), 0);
        }
        assertEquals(3, TrainingCost.samplingIterations(org.get4j.train.TrainConfig.reference(100, 64).toBuilder()
                .freeIterations(2).unroll(1).build()));
    }

    @Test
    void aFolderWithoutAFinishedRunIsNamed() {
        Get4jException e = assertThrows(Get4jException.class, () -> TrainingCost.summarise("x", dir));
        assertEquals(true, e.getMessage().contains(dir.toString()) && e.getMessage().contains("cost.json"));
    }
}
