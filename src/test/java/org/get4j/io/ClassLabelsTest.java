package org.get4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.get4j.Get4jException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassLabelsTest {
    @TempDir
    Path dir;

    private Path write(String name, HostTensor t) {
        Path f = dir.resolve(name);
        Npy.write(f, t);
        return f;
    }

    @Test
    void integersAndOneHotRowsGiveTheSameLabels() {
        Path ints = write("ints.npy", HostTensor.ofLongs(new long[] {2, 0, 1}, 3));
        Path hot = write("hot.npy", HostTensor.ofFloats(new float[] {0, 0, 1, 1, 0, 0, 0, 1, 0}, 3, 3));
        assertArrayEquals(new long[] {2, 0, 1}, ClassLabels.read(ints, 3, 3));
        assertArrayEquals(new long[] {2, 0, 1}, ClassLabels.read(hot, 3, 3));
    }

    @Test
    void aWrongCountShapeOrClassIsRefusedNamingTheFile() {
        Path ints = write("labels.npy", HostTensor.ofLongs(new long[] {2, 0, 5}, 3));
        Get4jException count = assertThrows(Get4jException.class, () -> ClassLabels.read(ints, 10, 4));
        assertTrue(count.getMessage().contains("labels.npy") && count.getMessage().contains("3 labels for 4"));
        Get4jException range = assertThrows(Get4jException.class, () -> ClassLabels.read(ints, 3, 3));
        assertTrue(range.getMessage().contains("label 5 outside 0..2"), range.getMessage());
        Path floats = write("floats.npy", HostTensor.ofFloats(new float[] {1, 2}, 2));
        Get4jException shape = assertThrows(Get4jException.class, () -> ClassLabels.read(floats, 3, 2));
        assertTrue(shape.getMessage().contains("integers (B,) or one-hot (B, 3)"), shape.getMessage());
    }
}
