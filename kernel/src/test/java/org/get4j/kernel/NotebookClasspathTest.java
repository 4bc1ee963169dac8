package org.get4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NotebookClasspathTest {
    @TempDir
    Path dir;

    @Test
    void aFolderGlobIsEveryJarInNameOrder() throws IOException {
        Path lib = Files.createDirectory(dir.resolve("lib"));
        Files.createFile(lib.resolve("b.jar"));
        Files.createFile(lib.resolve("a.jar"));
        Files.createFile(lib.resolve("notes.txt"));
        Path app = Files.createFile(dir.resolve("app.jar"));
        List<Path> cp = NotebookClasspath.parse(app + File.pathSeparator + lib + "/*" + File.pathSeparator);
        assertEquals(List.of(app, lib.resolve("a.jar"), lib.resolve("b.jar")), cp);
        assertEquals(List.of(), NotebookClasspath.parse(" "));
        assertEquals(List.of(), NotebookClasspath.parse(null));
    }

    @Test
    void aMissingEntryIsRefusedByName() {
        Path missing = dir.resolve("target/get4j.jar");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NotebookClasspath.parse(missing.toString()));
        assertTrue(e.getMessage().contains("IJAVA_CLASSPATH") && e.getMessage().contains(missing.toString()));
        e = assertThrows(IllegalArgumentException.class, () -> NotebookClasspath.parse(dir.resolve("nolib") + "/*"));
        assertTrue(e.getMessage().contains("nolib"), e.getMessage());
    }
}
