package org.get4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    /** Files are compared across processes (resumed pair generation): metadata order must not leak into the bytes. */
    @Test
    void theSameContentGivesTheSameBytesWhateverTheMetadataOrder() throws Exception {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("x", HostTensor.ofFloats(new float[] {1, 2, 3}, 3));
        Map<String, String> a = new LinkedHashMap<>();
        a.put("b", "2");
        a.put("a", "1");
        Map<String, String> b = new HashMap<>();
        b.put("a", "1");
        b.put("b", "2");
        SafeTensors.write(dir.resolve("a"), t, a);
        SafeTensors.write(dir.resolve("b"), t, b);
        assertArrayEquals(Files.readAllBytes(dir.resolve("a")), Files.readAllBytes(dir.resolve("b")));
        SafeTensors.Contents c = SafeTensors.read(dir.resolve("a"));
        assertEquals("1", c.metadata().get("a"));
        assertArrayEquals(new float[] {1, 2, 3}, c.tensors().get("x").toFloatArray());
        assertEquals(c.metadata(), SafeTensors.metadata(dir.resolve("a")), "the header alone gives the same metadata");
        byte[] bytes = Files.readAllBytes(dir.resolve("a"));
        Files.write(dir.resolve("cut"), java.util.Arrays.copyOf(bytes, 20));
        assertTrue(assertThrows(org.get4j.Get4jException.class, () -> SafeTensors.metadata(dir.resolve("cut")))
                .getMessage().contains("truncated"));
    }
}
