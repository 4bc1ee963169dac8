package org.get4j.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.get4j.optim.TrainingRun;
import org.get4j.train.Distillation;
import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void aResumedJobCountsOnlyItsOwnWorkInTheRateAndEta() {
        // 100 of 400 steps done in 50 s: 2 steps/s, 150 s left.
        assertEquals("train: 100/400 (25%), 2.0/s, 2m30s left", new Progress("train", 400).line(100, 50));
        // Resumed at step 300, 40 more steps in 20 s: still 2 steps/s, and 30 s left, not the 6.9/s that counting
        // the checkpoint's 300 steps as this session's work would claim.
        assertEquals("train: 340/400 (85%), 2.0/s, 30s left", new Progress("train", 400, 300).line(340, 20));
        assertEquals("x: 0/10 (0%), 0.0/s, ? left", new Progress("x", 10).line(0, 1));
        assertEquals("1h01m", Progress.format(3660));
    }

    /** A time-budgeted run counts seconds of training, but its rate is in steps: "1.0/s" of seconds says nothing. */
    @Test
    void aTimeBudgetedRunShowsItsStepsPerSecondAndTheTrainingTimeLeft() {
        assertEquals("GET 2+3: 120/360 s of training (33%), step 1380, 11.5 steps/s, 4m00s left",
                new Progress("GET 2+3", 360).trainingLine(1380, 120, 11.5));
        assertEquals("ViT 6: 360/360 s of training (100%), step 4432, 12.3 steps/s, 0s left",
                new Progress("ViT 6", 360).trainingLine(4432, 360, 12.3));
    }

    /**
     * A resumed time-budgeted run starts from the seconds and steps of its cost record: 200 s and 2,000 steps done,
     * then 40 s and 400 steps in this session make 240/360 s and 10.0 steps/s (not 2,400/40 = 60 steps/s).
     */
    @Test
    void aResumedTimeBudgetedRunCountsTheRecordedTrainingTimeButOnlyThisSessionsSteps() {
        List<String> shown = new ArrayList<>();
        var progress = Progress.ofTrainingTime("GET", 360, new TrainingRun.Cost(2000, 200.0, 512), shown::add);
        progress.accept(log(2400, 40_000));
        progress.accept(log(3600, 170_000)); // past the budget: capped at 360 s, and shown as the end
        assertEquals(List.of("GET: 240/360 s of training (67%), step 2400, 10.0 steps/s, 2m00s left",
                "GET: 360/360 s of training (100%), step 3600, 9.4 steps/s, 0s left"), shown);

        List<String> fresh = new ArrayList<>();
        Progress.ofTrainingTime("ViT", 100, null, fresh::add).accept(log(50, 10_000));
        assertEquals(List.of("ViT: 10/100 s of training (10%), step 50, 5.0 steps/s, 1m30s left"), fresh);
    }

    private static Distillation.Log log(long step, long elapsedMillis) {
        return new Distillation.Log(step, new double[] {0.1}, 0.1, 5e-4, 1.0, 64.0, elapsedMillis, 0);
    }

    @Test
    void withDisplayUpdatesTheLineIsReplacedAtMostTwiceASecondAndAlwaysAtTheEnd() {
        List<String> shown = new ArrayList<>();
        Progress p = new Progress("t", 10, 0, line -> shown.add(line));
        String printed = printed(() -> {
            p.update(1, 0.1);  // shown: the first
            p.update(2, 0.3);  // too soon
            p.update(3, 0.7);  // shown
            p.update(4, 0.8);  // too soon
            p.update(10, 0.9); // the end is always shown
        });
        assertEquals(List.of("t: 1/10 (10%), 10.0/s, 1s left", "t: 3/10 (30%), 4.3/s, 2s left",
                "t: 10/10 (100%), 11.1/s, 0s left"), shown);
        assertEquals("", printed, "nothing printed where the line updates in place");
    }

    @Test
    void withoutDisplayUpdatesEveryUpdatePrintsALine() {
        Progress refused = new Progress("t", 4, 0, line -> false); // a kernel that refused the display
        Progress none = new Progress("t", 4, 0, null);
        String printed = printed(() -> {
            refused.update(1, 1);
            refused.update(2, 1.1); // within half a second, but nothing was shown: print it too
            none.update(2, 1);
            none.update(3, 1.1);
        });
        assertEquals(List.of("t: 1/4 (25%), 1.0/s, 3s left", "t: 2/4 (50%), 1.8/s, 1s left",
                "t: 2/4 (50%), 2.0/s, 1s left", "t: 3/4 (75%), 2.7/s, 0s left"), printed.lines().toList());
    }

    @Test
    void outsideAKernelThereIsNoLiveDisplay() {
        assertTrue(LiveDisplay.find().isEmpty(), "the test JVM has no kernel statics on its classpath");
    }

    private static String printed(Runnable r) {
        PrintStream out = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(out);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
