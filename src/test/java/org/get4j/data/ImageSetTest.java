package org.get4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;

class ImageSetTest {
    private static ImageSet tiny() {
        // two 1x1x3 images: [0, 255, 51] and [102, 153, 204]
        byte[] px = {0, (byte) 255, 51, 102, (byte) 153, (byte) 204};
        return new ImageSet("tiny", px, new int[] {4, 4}, 1, 1, 3);
    }

    @Test
    void toFloatMapsBytesToMinusOneToOne() {
        try (NDManager m = TorchRuntime.newManager()) {
            NDArray x = tiny().toFloat(m, 0, 2);
            assertEquals(new Shape(2, 1, 1, 3), x.getShape());
            float[] v = x.toFloatArray();
            float[] expected = new float[6];
            int[] raw = {0, 255, 51, 102, 153, 204};
            for (int i = 0; i < 6; i++) {
                expected[i] = raw[i] / 127.5f - 1f;
            }
            assertArrayEquals(expected, v, 1e-6f);
            assertEquals(-1f, v[0]);
            assertEquals(1f, v[1], 1e-7f);
            assertArrayEquals(new long[] {4, 4}, tiny().labelsArray(m, 0, 2).toLongArray());
        }
    }

    @Test
    void classCountsRejectOutOfRangeLabels() {
        assertArrayEquals(new int[] {0, 0, 0, 0, 2}, tiny().classCounts(5));
        assertThrows(IllegalArgumentException.class, () -> tiny().classCounts(3));
    }

    @Test
    void sliceAndRangeChecks() {
        ImageSet s = tiny().slice(1, 2);
        assertEquals(1, s.size());
        assertEquals(153, s.pixel(0, 0, 0, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> tiny().pixels(1, 3));
    }

    @Test
    void gridPlacesEachImageInItsCell() {
        BufferedImage g = ImageGrid.of(tiny(), 2, 2, 2);
        // 2 px gap, then image 0 at x 2..7 (3 px * scale 2); image 1 starts at 2 + 6 + 2 = 10.
        assertEquals(2 + 2 * (2 + 6), g.getWidth());
        assertEquals(2 + 2 + 2, g.getHeight());
        assertEquals(0xffffff, g.getRGB(4, 2) & 0xffffff); // image 0 pixel 1 = 255
        assertEquals(0x999999, g.getRGB(12, 3) & 0xffffff); // image 1 pixel 1 = 153
    }
}
