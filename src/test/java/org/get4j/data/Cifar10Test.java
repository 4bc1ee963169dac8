package org.get4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10Test {
    @TempDir
    Path dir;

    /** A record whose channel c, row y, column x holds (label + c * 50 + y + x) mod 256. */
    private static byte[] record(int label) {
        byte[] r = new byte[Cifar10.RECORD];
        r[0] = (byte) label;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    r[1 + c * 1024 + y * 32 + x] = (byte) (label + c * 50 + y + x);
                }
            }
        }
        return r;
    }

    private Path batch(String name, int... labels) throws IOException {
        byte[] all = new byte[labels.length * Cifar10.RECORD];
        for (int i = 0; i < labels.length; i++) {
            System.arraycopy(record(labels[i]), 0, all, i * Cifar10.RECORD, Cifar10.RECORD);
        }
        return Files.write(dir.resolve(name), all);
    }

    @Test
    void readsRecordsAsNchwAndConcatenatesBatches() throws IOException {
        Path a = batch("a.bin", 3, 9);
        Path b = batch("b.bin", 0);
        ImageSet set = Cifar10.read("cifar", List.of(a, b));
        assertEquals(3, set.size());
        assertEquals(3, set.channels());
        assertArrayEquals(new int[] {3, 9, 0}, set.labels());
        assertEquals(9 + 2 * 50 + 5 + 7, set.pixel(1, 2, 5, 7));
        assertEquals(31 + 31, set.pixel(2, 0, 31, 31));
    }

    @Test
    void testFolderLayout() throws IOException {
        batch(Cifar10.TEST_FILE, 1, 2);
        assertEquals(2, Cifar10.test(dir).size());
    }

    @Test
    void truncatedBatchIsDetected() throws IOException {
        Path a = batch("a.bin", 1, 2);
        byte[] bytes = Files.readAllBytes(a);
        Files.write(a, Arrays.copyOf(bytes, bytes.length - 100));
        DataFormatException e = assertThrows(DataFormatException.class, () -> Cifar10.read("c", List.of(a)));
        assertTrue(e.getMessage().contains(a.toString()) && e.getMessage().contains("3073"), e.getMessage());
    }

    @Test
    void labelOutOfRangeIsDetected() throws IOException {
        Path a = batch("a.bin", 1, 12);
        DataFormatException e = assertThrows(DataFormatException.class, () -> Cifar10.read("c", List.of(a)));
        assertTrue(e.getMessage().contains("record 1 has label 12"), e.getMessage());
    }
}
