package org.get4j.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A notebook in one clone on a kernel registered by another clone says so in its first line. */
class NotebooksTest {
    @TempDir
    Path dir;

    @Test
    void aKernelReadingAnotherClonesDataIsNamed() throws Exception {
        Path mine = Files.createDirectories(dir.resolve("main"));
        Files.createDirectories(mine.resolve("data"));
        Files.createDirectories(mine.resolve("notebooks"));
        Path other = Files.createDirectories(dir.resolve("ci/data"));

        assertEquals(Optional.empty(), Notebooks.otherRepository(mine.resolve("data"), mine.resolve("notebooks")),
                "the kernel reads this clone's data");
        String warning = Notebooks.otherRepository(other, mine.resolve("notebooks")).orElseThrow();
        assertTrue(warning.contains(other.toString()) && warning.contains(mine.resolve("data").toString())
                && warning.contains("environment/setup"), warning);
        assertEquals(Optional.empty(), Notebooks.otherRepository(other, mine),
                "outside a notebooks/ folder (the CLI, tests) nothing is said");
        assertEquals(Optional.empty(), Notebooks.otherRepository(other, Path.of("/")), "the root has no parent");
        Path link = Files.createSymbolicLink(dir.resolve("link"), mine.resolve("data"));
        assertEquals(Optional.empty(), Notebooks.otherRepository(link, mine.resolve("notebooks")),
                "the same folder by another path is the same data");
    }
}
