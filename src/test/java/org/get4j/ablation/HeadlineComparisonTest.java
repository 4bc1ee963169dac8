package org.get4j.ablation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.get4j.Get4jException;
import org.get4j.metrics.StudentEvaluation;
import org.get4j.metrics.TrainingCurve;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET-Mini against the larger ViT, read from an experiment folder laid out as environment/experiment-mnist's. */
class HeadlineComparisonTest {
    @TempDir Path experiment;

    private void run(String name, long params, int samples, double fd, double low, double high, long steps,
            double seconds) throws Exception {
        Path dir = Files.createDirectories(experiment.resolve(name));
        Files.writeString(dir.resolve("eval.csv"), StudentEvaluation.Report.csvHeader() + String.join(",", name, "" + params,
                "0.3", "6", "FD-LeNet-MNIST", "" + samples, "" + fd, "" + low, "" + high, "100", "1.37", "6.5", "0.1",
                "17.5", "130", "0", "0") + "\n");
        Files.writeString(dir.resolve("cost.json"),
                "{\"peak_rss_mib\": 2000, \"steps\": " + steps + ", \"train_seconds\": " + seconds + "}");
    }

    private void curve(double mark, long step, int samples, double fd, double low, double high) throws Exception {
        Files.writeString(experiment.resolve("vit-5x").resolve(TrainingCurve.FILE),
                "mark_seconds,step,train_seconds,samples,metric,solver,fd,fd_low,fd_high,snapshot_sha256\n"
                        + mark + "," + step + "," + (mark + 0.8) + "," + samples + ",FD-LeNet-MNIST,e8855d73a14c," + fd
                        + "," + low + "," + high + ",c739\n");
    }

    @Test
    void equalStepsAndEqualTimeAreComparedByTheirIntervals() throws Exception {
        run("get-mini", 1_151_504, 10_000, 109.8, 108.1, 111.8, 2500, 2503.07);
        run("vit-5x", 5_553_680, 10_000, 91.2, 89.6, 93.1, 2500, 3012.4);
        curve(2503, 2070, 10_000, 110.3, 108.5, 112.3);
        HeadlineComparison h = HeadlineComparison.read(experiment);
        assertEquals("ViT-5x ahead", h.verdict(h.vitAtEqualSteps()), "disjoint intervals, the ViT lower");
        assertEquals("not distinguishable", h.verdict(h.vitAtEqualTime()), "overlapping intervals are not ranked");
        assertEquals(2070, h.vitAtEqualTime().steps());
        assertEquals(2500, h.vitAtEqualSteps().steps());
        var t = h.table();
        assertEquals(3, t.rowCount());
        assertEquals("GET-Mini against a ViT with 4.8 times its parameters", t.name());
        assertEquals("110.3 [108.5, 112.3]", t.stringColumn(4).get(2));
        assertEquals(41.7, t.doubleColumn("train min").get(0), 1e-9, "2,503 s");

        curve(2503, 2070, 10_000, 130.0, 128.0, 132.0);
        h = HeadlineComparison.read(experiment);
        assertEquals("GET-Mini ahead", h.verdict(h.vitAtEqualTime()));
    }

    @Test
    void withoutTheLargerViTOrItsEqualTimeScoreThereIsNoComparison() throws Exception {
        run("get-mini", 1_151_504, 10_000, 109.8, 108.1, 111.8, 2500, 2503.07);
        assertNull(HeadlineComparison.read(experiment), "VIT5X=1 has not run");
        run("vit-5x", 5_553_680, 10_000, 91.2, 89.6, 93.1, 2500, 3012.4);
        assertNull(HeadlineComparison.read(experiment), "trained but not scored at equal time");
        curve(1200, 1000, 10_000, 150.0, 148.0, 152.0);
        assertNull(HeadlineComparison.read(experiment), "scored at another time than GET-Mini's");
        curve(2503, 2070, 2_000, 110.3, 108.5, 112.3);
        assertNull(HeadlineComparison.read(experiment), "scored on another sample count than the evaluations");
    }

    @Test
    void evaluationsOnDifferentSampleCountsAreRefused() throws Exception {
        run("get-mini", 1_151_504, 2_000, 109.8, 108.1, 111.8, 2500, 2503.07);
        run("vit-5x", 5_553_680, 10_000, 91.2, 89.6, 93.1, 2500, 3012.4);
        curve(2503, 2070, 10_000, 110.3, 108.5, 112.3);
        Get4jException e = assertThrows(Get4jException.class, () -> HeadlineComparison.read(experiment));
        assertTrue(e.getMessage().contains("different sample counts"), e.getMessage());
    }
}
