package org.get4j.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
