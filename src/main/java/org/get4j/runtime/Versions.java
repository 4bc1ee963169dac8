package org.get4j.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Versions of get4j and the libraries it records next to every run's outputs. */
public final class Versions {
    private static final Properties BUILD = load();

    private Versions() {}

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Versions.class.getResourceAsStream("/org/get4j/build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException ignored) {
            // fall through to "unknown"
        }
        return p;
    }

    public static String get4j() {
        return BUILD.getProperty("get4j.version", "unknown");
    }

    public static String djl() {
        return BUILD.getProperty("djl.version", "unknown");
    }

    public static String pytorch() {
        return BUILD.getProperty("pytorch.version", "unknown");
    }

    public static String java() {
        return System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")";
    }
}
