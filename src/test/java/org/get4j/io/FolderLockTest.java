package org.get4j.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.get4j.Get4jException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 18: one writer per pair store or run folder; the second is refused with the first one's process id. */
class FolderLockTest {
    @TempDir
    Path dir;

    @Test
    void aSecondWriterIsRefusedNamingTheFirstUntilItIsDone() {
        long pid = ProcessHandle.current().pid();
        try (FolderLock first = FolderLock.acquire(dir, "pairs generate")) {
            String refused = assertThrows(Get4jException.class, () -> FolderLock.acquire(dir, "pairs generate"))
                    .getMessage();
            assertTrue(refused.contains(dir + " is being written by another pairs generate (process " + pid),
                    refused);
            assertThrows(Get4jException.class, () -> FolderLock.requireFree(dir, "pairs generate"));
            assertThrows(Get4jException.class, () -> FolderLock.acquire(dir.resolve("."), "training run"),
                    "the same folder by another name");
        }
        FolderLock.requireFree(dir, "pairs generate");
        try (FolderLock again = FolderLock.acquire(dir, "pairs generate")) {
            assertTrue(again != null, "released on close");
        }
    }
}
