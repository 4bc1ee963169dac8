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

    /** Notebook 04's iteration strip: one label per row, left of it, in a margin wide enough for the longest. */
    @Test
    void rowLabelsSitLeftOfTheirRows() {
        java.awt.image.BufferedImage grid = new java.awt.image.BufferedImage(100, 2 + 3 * 66,
                java.awt.image.BufferedImage.TYPE_INT_RGB); // three rows of 64-pixel tiles and 2-pixel gaps, black
        java.awt.image.BufferedImage labelled = Pictures.withRowLabels(grid, new String[] {"k = 1", "k = 12",
            "teacher (35 NFE)"});
        int margin = labelled.getWidth() - grid.getWidth();
        org.junit.jupiter.api.Assertions.assertTrue(margin > 60, "room for the longest label: " + margin);
        for (int row = 0; row < 3; row++) { // some dark text pixels in each row's band of the margin
            boolean ink = false;
            for (int y = 2 + row * 66; y < 2 + (row + 1) * 66 && !ink; y++) {
                for (int x = 0; x < margin && !ink; x++) {
                    ink = (labelled.getRGB(x, y) & 0xFF) < 128;
                }
            }
            org.junit.jupiter.api.Assertions.assertTrue(ink, "row " + row + " has its label");
        }
    }
}
