package org.get4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path dir;

    /** Three 2x3 images whose pixel values are their flat index, and labels 7, 0, 9. */
    private Path[] writeSample(boolean gzip) throws IOException {
        byte[] pixels = new byte[3 * 2 * 3];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 10);
        }
        Path images = dir.resolve(gzip ? "img.gz" : "img");
        Path labels = dir.resolve(gzip ? "lab.gz" : "lab");
        Files.write(images, maybeGzip(Idx.encode(new int[] {3, 2, 3}, pixels), gzip));
        Files.write(labels, maybeGzip(Idx.encode(new int[] {3}, new byte[] {7, 0, 9}), gzip));
        return new Path[] {images, labels};
    }

    private static byte[] maybeGzip(byte[] bytes, boolean gzip) throws IOException {
        if (!gzip) {
            return bytes;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(bytes);
        }
        return out.toByteArray();
    }

    @Test
    void readsRawAndGzipAlike() throws IOException {
        for (boolean gzip : new boolean[] {false, true}) {
            Path[] files = writeSample(gzip);
            ImageSet set = Idx.read("sample", files[0], files[1]);
            assertEquals(3, set.size());
            assertEquals(1, set.channels());
            assertEquals(2, set.height());
            assertEquals(3, set.width());
            assertArrayEquals(new int[] {7, 0, 9}, set.labels());
            // image 1, row 1, column 2 is flat index 6 + 3 + 2 = 11
            assertEquals(110, set.pixel(1, 0, 1, 2));
            assertEquals(170, set.pixel(2, 0, 1, 2));
        }
    }

    @Test
    void badMagicNumberIsNamed() throws IOException {
        Path f = dir.resolve("bad");
        byte[] bytes = Idx.encode(new int[] {1}, new byte[] {1});
        bytes[2] = 0x0d; // float type code
        Files.write(f, bytes);
        DataFormatException e = assertThrows(DataFormatException.class, () -> Idx.readArray(f, 1));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
    }

    @Test
    void wrongDimensionCountIsAnError() throws IOException {
        Path f = dir.resolve("labels-as-images");
        Files.write(f, Idx.encode(new int[] {4}, new byte[4]));
        DataFormatException e = assertThrows(DataFormatException.class, () -> Idx.readArray(f, 3));
        assertTrue(e.getMessage().contains("1 dimensions, expected 3"), e.getMessage());
    }

    @Test
    void truncatedDataIsDetected() throws IOException {
        Path[] files = writeSample(false);
        byte[] full = Files.readAllBytes(files[0]);
        Files.write(files[0], Arrays.copyOf(full, full.length - 5));
        DataFormatException e = assertThrows(DataFormatException.class, () -> Idx.read("x", files[0], files[1]));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("18 data bytes, the file holds 13"), e.getMessage());
    }

    @Test
    void truncatedHeaderIsDetected() throws IOException {
        Path f = dir.resolve("short");
        Files.write(f, new byte[] {0, 0, 8, 3, 0, 0});
        DataFormatException e = assertThrows(DataFormatException.class, () -> Idx.readArray(f, 3));
        assertTrue(e.getMessage().contains("header"), e.getMessage());
    }

    @Test
    void trailingBytesAreAnError() throws IOException {
        Path f = dir.resolve("long");
        byte[] ok = Idx.encode(new int[] {2}, new byte[] {1, 2});
        Files.write(f, Arrays.copyOf(ok, ok.length + 1));
        assertThrows(DataFormatException.class, () -> Idx.readArray(f, 1));
    }

    @Test
    void labelImageCountMismatchNamesBothFiles() throws IOException {
        Path[] files = writeSample(false);
        Files.write(files[1], Idx.encode(new int[] {2}, new byte[] {1, 2}));
        DataFormatException e = assertThrows(DataFormatException.class, () -> Idx.read("x", files[0], files[1]));
        assertTrue(e.getMessage().contains("2 labels") && e.getMessage().contains("3 images"), e.getMessage());
    }
}
