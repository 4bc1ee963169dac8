package org.get4j.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PicturesTest {
    /** Notebook 02's trajectory tiles are labelled with their noise level, two significant digits or so. */
    @Test
    void sigmaLabelsReadAtAGlance() {
        assertEquals("80", Pictures.sigmaLabel(80));
        assertEquals("58", Pictures.sigmaLabel(57.586));
        assertEquals("8.4", Pictures.sigmaLabel(8.4009));
        assertEquals("0.30", Pictures.sigmaLabel(0.29644));
        assertEquals("0.060", Pictures.sigmaLabel(0.05995));
        assertEquals("0.002", Pictures.sigmaLabel(0.002000000000000003));
        assertEquals("0", Pictures.sigmaLabel(0));
    }
}
