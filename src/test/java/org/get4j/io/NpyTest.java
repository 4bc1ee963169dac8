package org.get4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.get4j.Get4jException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsFloatsAndLongs() {
        Path f = dir.resolve("a.npy");
        HostTensor t = HostTensor.ofFloats(new float[] {1, -2.5f, 3, 4, 5, 6}, 2, 3);
        Npy.write(f, t);
        HostTensor back = Npy.read(f);
        assertArrayEquals(new long[] {2, 3}, back.shape());
        assertArrayEquals(t.toFloatArray(), back.toFloatArray());
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(7).putLong(-1);
        Npy.write(f, new HostTensor(TensorDType.INT64, new long[] {2}, b.array()));
        assertArrayEquals(new long[] {7, -1}, Npy.read(f).toLongArray());
    }

    @Test
    void readsNumpysOwnHeaderLayout() throws Exception {
        // the bytes numpy.save writes for np.arange(3, dtype='<f8')
        String header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
        header = header + " ".repeat(118 - header.length() - 1) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 24).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1)).putDouble(0).putDouble(1).putDouble(2);
        Path f = Files.write(dir.resolve("np.npy"), b.array());
        assertArrayEquals(new double[] {0, 1, 2}, Npy.read(f).toDoubleArray());
        Files.write(f, Arrays.copyOf(b.array(), b.capacity() - 4));
        Get4jException e = assertThrows(Get4jException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains("needs 24 data bytes"), e.getMessage());
        Files.writeString(f, "not numpy");
        assertTrue(assertThrows(Get4jException.class, () -> Npy.read(f)).getMessage().contains("bad magic"));
    }
}
