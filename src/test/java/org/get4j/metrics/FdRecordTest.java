package org.get4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.get4j.Get4jException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An FD is measured once and reused only while what it measured is unchanged. */
class FdRecordTest {
    @TempDir Path dir;

    private static final FdEstimate A = new FdEstimate(7.0, 6.4, 7.6, 10_000);
    private static final FdEstimate B = new FdEstimate(9.0, 8.0, 10.0, 10_000);

    @Test
    void aFileRecordIsReusedUntilTheFileChanges() throws Exception {
        Path images = Files.writeString(dir.resolve("samples.npy"), "first images");
        Path file = dir.resolve("fd.json");
        AtomicInteger scored = new AtomicInteger();
        var score = new java.util.function.Supplier<FdRecord>() {
            FdEstimate next = A;

            @Override
            public FdRecord get() {
                scored.incrementAndGet();
                return FdRecord.of("FD-LeNet", images, "test split", next, 1.37);
            }
        };
        assertEquals(A, FdRecord.keep(file, r -> r.matches(images, "FD-LeNet"), score));
        score.next = B;
        assertEquals(A, FdRecord.keep(file, r -> r.matches(images, "FD-LeNet"), score), "kept, not scored again");
        assertEquals(1, scored.get());

        Files.writeString(images, "other images");
        assertEquals(B, FdRecord.keep(file, r -> r.matches(images, "FD-LeNet"), score), "new bytes: scored again");
        assertEquals(2, scored.get());
        assertFalse(FdRecord.read(file).matches(images, "FD-Inception"), "another metric is another measurement");
    }

    @Test
    void samplesDrawnOnTheFlyAreNamedNotFingerprinted() {
        FdRecord r = FdRecord.ofSamples("FD-LeNet", "edm teacher sha256=ab, seeds 0-1999", "test split", A, 3.6);
        Path file = dir.resolve("teacher.json");
        r.write(file);
        FdRecord back = FdRecord.read(file);
        assertEquals(r, back);
        assertNull(back.imagesSha256(), "no file, so no checksum pretending to be one");
        assertTrue(back.describes("edm teacher sha256=ab, seeds 0-1999", "FD-LeNet"));
        assertFalse(back.describes("edm teacher sha256=cd, seeds 0-1999", "FD-LeNet"), "another teacher");
        assertFalse(back.matches(file, "FD-LeNet"), "not a file's record");
    }

    @Test
    void aDamagedRecordIsAnErrorNamingItsFile() throws Exception {
        Path file = Files.writeString(dir.resolve("broken.json"), "{\"metric\": \"FD-LeNet\"");
        Get4jException e = assertThrows(Get4jException.class, () -> FdRecord.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        Files.writeString(file, "{\"metric\": \"FD-LeNet\", \"images\": \"x\", \"samples\": 0}");
        e = assertThrows(Get4jException.class, () -> FdRecord.read(file));
        assertTrue(e.getMessage().contains("samples"), e.getMessage());
    }
}
