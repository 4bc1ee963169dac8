package org.get4j.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where datasets and cached artefacts live. In order: the {@code GET4J_DATA} environment variable, the
 * {@code get4j.data} system property, the {@code data/} folder of the get4j checkout that contains the working
 * directory (so notebooks find it under any kernel), and finally {@code ~/.get4j/data}.
 */
public final class DataHome {
    private DataHome() {}

    public static Path resolve() {
        String configured = System.getenv("GET4J_DATA");
        if (configured == null || configured.isBlank()) {
            configured = System.getProperty("get4j.data");
        }
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("data/README.md")) && Files.isRegularFile(dir.resolve("pom.xml"))
                    && Files.isDirectory(dir.resolve("notebooks"))) {
                return dir.resolve("data");
            }
        }
        return Path.of(System.getProperty("user.home"), ".get4j", "data");
    }
}
