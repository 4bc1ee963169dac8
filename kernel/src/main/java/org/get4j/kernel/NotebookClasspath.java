package org.get4j.kernel;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The notebook's classpath, as IJava reads it from {@code IJAVA_CLASSPATH}: entries separated by the platform's path
 * separator, where an entry ending in {@code /*} stands for every jar in that folder (in name order, so a start is
 * reproducible). A folder or jar that does not exist is refused by name: a typo in a kernelspec must not become a
 * notebook that fails later with "package does not exist".
 */
public final class NotebookClasspath {
    private NotebookClasspath() {
    }

    /** The files named by {@code spec}; empty for a null or blank spec. */
    public static List<Path> parse(String spec) {
        List<Path> entries = new ArrayList<>();
        if (spec == null || spec.isBlank()) {
            return entries;
        }
        for (String raw : spec.split(File.pathSeparator)) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.endsWith("/*") || entry.endsWith(File.separator + "*")) {
                Path dir = Path.of(entry.substring(0, entry.length() - 2));
                if (!Files.isDirectory(dir)) {
                    throw new IllegalArgumentException("IJAVA_CLASSPATH: no such folder: " + dir);
                }
                try (Stream<Path> jars = Files.list(dir)) {
                    jars.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().forEach(entries::add);
                } catch (IOException e) {
                    throw new UncheckedIOException("IJAVA_CLASSPATH: cannot list " + dir + ": " + e, e);
                }
            } else {
                Path path = Path.of(entry);
                if (!Files.exists(path)) {
                    throw new IllegalArgumentException("IJAVA_CLASSPATH: no such file or folder: " + path);
                }
                entries.add(path);
            }
        }
        return entries;
    }
}
