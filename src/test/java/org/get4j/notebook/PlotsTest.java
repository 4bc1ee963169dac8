package org.get4j.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PlotsTest {
    /** A log axis runs between labelled ticks around the data (notebook 03: 0.127 ... 0.82 gives 0.1 ... 0.9). */
    @Test
    void logAxesEndAtLabelledTicks() {
        assertEquals(0.1, Plots.tickAtOrBelow(0.127), 1e-15);
        assertEquals(0.9, Plots.tickAtOrAbove(0.82), 1e-15);
        assertEquals(0.2, Plots.tickAtOrBelow(0.2), 1e-15);
        assertEquals(0.2, Plots.tickAtOrAbove(0.2), 1e-15);
        assertEquals(30, Plots.tickAtOrBelow(34.2), 1e-12);
        assertEquals(40, Plots.tickAtOrAbove(34.2), 1e-12);
        assertEquals(1.0, Plots.tickAtOrAbove(0.95), 1e-15);
    }
}
