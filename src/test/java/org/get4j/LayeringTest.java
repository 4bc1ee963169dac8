package org.get4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages' declared order, bottom to top; a class may use its own layer and the layers below, never one above
 * (the README's layout section states the same order). Shared tools sit at the bottom: the exception base, file
 * formats and the engine door, then the optimisers, then the neural building blocks that the teacher's U-Net and the
 * students share. Then the pipeline: data, diffusion (teachers, EDM sampler), pairs, deq, model, train, metrics,
 * ablation; the command line, the notebook helpers and the benchmarks on top.
 */
class LayeringTest {
    static final List<List<String>> LAYERS = List.of(
            List.of("", "io", "runtime"),
            List.of("optim"),
            List.of("nn"),
            List.of("data"),
            List.of("diffusion"),
            List.of("pairs"),
            List.of("deq"),
            List.of("model"),
            List.of("train"),
            List.of("metrics"),
            List.of("ablation"),
            List.of("bench", "notebook", "cli"));

    static final Path SOURCES = Path.of("src/main/java/org/get4j");
    /** An import or an inline use of a get4j class: org.get4j.<package>.<Class> or org.get4j.<Class>. */
    static final Pattern USE = Pattern.compile("\\borg\\.get4j\\.(?:([a-z][a-z0-9]*)\\.)?[A-Z]");

    static int layer(String pkg) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (LAYERS.get(i).contains(pkg)) {
                return i;
            }
        }
        return -1;
    }

    /** The top-level package of a source file under org/get4j ("" for the root package). */
    static String packageOf(Path file) {
        Path rel = SOURCES.relativize(file);
        return rel.getNameCount() == 1 ? "" : rel.getName(0).toString();
    }

    /** Every use of a layer above the file's own: "file:line uses org.get4j.x (layer i above layer j)". */
    static List<String> violations(Path file, List<String> lines) {
        String own = packageOf(file);
        List<String> found = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.startsWith("*") || line.startsWith("//") || line.startsWith("/*") || line.startsWith("package ")) {
                continue; // comments may name anything
            }
            Matcher m = USE.matcher(line);
            while (m.find()) {
                String used = m.group(1) == null ? "" : m.group(1);
                if (layer(used) > layer(own)) {
                    found.add(String.format("%s:%d uses org.get4j.%s (layer %d, above %s's layer %d)",
                            SOURCES.relativize(file), n + 1, used, layer(used), own.isEmpty() ? "org.get4j" : own,
                            layer(own)));
                }
            }
        }
        return found;
    }

    static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void everyPackageIsDeclaredInTheOrder() throws IOException {
        TreeSet<String> undeclared = new TreeSet<>();
        for (Path f : sources()) {
            if (layer(packageOf(f)) < 0) {
                undeclared.add(packageOf(f));
            }
        }
        assertEquals(new TreeSet<>(), undeclared, "declare each new package's layer in LayeringTest.LAYERS");
    }

    @Test
    void noClassUsesALayerAboveItsOwn() throws IOException {
        List<String> found = new ArrayList<>();
        int uses = 0;
        for (Path f : sources()) {
            List<String> lines = Files.readAllLines(f);
            found.addAll(violations(f, lines));
            uses += lines.stream().mapToInt(l -> (int) USE.matcher(l).results().count()).sum();
        }
        assertTrue(uses > 300, "the scan sees the code's imports (" + uses + ")");
        assertEquals("", String.join("\n", found), found.size() + " uses point up the layer order");
    }

    @Test
    void theScanCatchesAnUpwardImportAndAnInlineName() {
        Path file = SOURCES.resolve("diffusion/Example.java");
        List<String> found = violations(file, List.of(
                "package org.get4j.diffusion;",
                "import org.get4j.train.Distillation;",        // up: caught
                "import org.get4j.data.ImageSet;",             // down: fine
                " * {@link org.get4j.metrics.Fd} in a comment", // comments may name anything
                "var r = org.get4j.ablation.ResultTable.of();", // inline and up: caught
                "throw new org.get4j.Get4jException(\"x\");")); // the root package is the bottom
        assertEquals(2, found.size(), found.toString());
        assertTrue(found.get(0).startsWith("diffusion/Example.java:2 uses org.get4j.train"), found.get(0));
        assertTrue(found.get(1).startsWith("diffusion/Example.java:5 uses org.get4j.ablation"), found.get(1));
    }
}
