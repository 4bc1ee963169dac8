package org.get4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.get4j.Get4jException;
import org.get4j.io.Checksums;

/** Loading and verifying the known datasets under a data home. */
public final class Datasets {
    /** Files already verified in this JVM, keyed by path, size and modification time. */
    private static final Map<String, Boolean> VERIFIED = new ConcurrentHashMap<>();

    private Datasets() {}

    /** A split of a dataset from the default data home, checksum-verified. */
    public static ImageSet load(Dataset dataset, Dataset.Split split) {
        return load(DataHome.resolve(), dataset, split);
    }

    public static ImageSet load(Path home, Dataset dataset, Dataset.Split split) {
        Path dir = home.resolve(dataset.dir());
        String images = Dataset.imagesFile(split);
        String labels = Dataset.labelsFile(split);
        for (Dataset.DataFile file : dataset.files()) {
            if (file.name().equals(images) || file.name().equals(labels)) {
                requireVerified(dir.resolve(file.name()), file, dataset);
            }
        }
        return Idx.read(dataset.dir() + "-" + split.name().toLowerCase(), dir.resolve(images), dir.resolve(labels));
    }

    private static void requireVerified(Path path, Dataset.DataFile file, Dataset dataset) {
        if (!Files.isRegularFile(path)) {
            throw new Get4jException(dataset.title() + " file " + path + " is missing: run `environment/get4j data "
                    + "fetch " + dataset.dir() + "` (or set GET4J_DATA to the folder that holds " + dataset.dir() + "/)");
        }
        String key;
        try {
            key = path.toAbsolutePath() + "|" + Files.size(path) + "|" + Files.getLastModifiedTime(path).toMillis();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (VERIFIED.containsKey(key)) {
            return;
        }
        String actual = uncompressedSha256(path);
        if (!actual.equals(file.sha256())) {
            throw new DataFormatException(path, "SHA-256 mismatch (corrupt or not the expected file): expected "
                    + file.sha256() + ", found " + actual + "; run `environment/get4j data fetch " + dataset.dir()
                    + "` to replace it");
        }
        VERIFIED.put(key, Boolean.TRUE);
    }

    /** SHA-256 of a file's content after gzip decompression, if it is compressed. */
    public static String uncompressedSha256(Path path) {
        try (InputStream in = Idx.open(path)) {
            return Checksums.sha256(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** State of one dataset file on disk. */
    public enum Status { OK, MISSING, CORRUPT }

    /** The verification result of one file. */
    public record FileCheck(Dataset dataset, Path path, Status status, String expected, String actual) {
        @Override
        public String toString() {
            return switch (status) {
                case OK -> "ok       " + path;
                case MISSING -> "missing  " + path;
                case CORRUPT -> "CORRUPT  " + path + " (expected SHA-256 " + expected + ", found " + actual + ")";
            };
        }
    }

    /** Re-checks every file of a dataset under a data home. */
    public static List<FileCheck> verify(Path home, Dataset dataset) {
        List<FileCheck> checks = new ArrayList<>();
        for (Dataset.DataFile file : dataset.files()) {
            Path path = home.resolve(dataset.dir()).resolve(file.name());
            if (!Files.isRegularFile(path)) {
                checks.add(new FileCheck(dataset, path, Status.MISSING, file.sha256(), null));
            } else {
                String actual = uncompressedSha256(path);
                Status status = actual.equals(file.sha256()) ? Status.OK : Status.CORRUPT;
                checks.add(new FileCheck(dataset, path, status, file.sha256(), actual));
            }
        }
        return checks;
    }

    /** True when every file of the dataset is present and verified. */
    public static boolean isComplete(Path home, Dataset dataset) {
        return verify(home, dataset).stream().allMatch(c -> c.status() == Status.OK);
    }

    /** For the system report: the data home and, per dataset, "verified" or what is missing or corrupt. */
    public static Map<String, String> report() {
        Map<String, String> r = new LinkedHashMap<>();
        Path home = DataHome.resolve();
        r.put("data home", home.toString());
        for (Dataset d : Dataset.values()) {
            List<FileCheck> checks = verify(home, d);
            long ok = checks.stream().filter(c -> c.status() == Status.OK).count();
            String state = ok == checks.size() ? "verified"
                    : checks.stream().anyMatch(c -> c.status() == Status.CORRUPT) ? "CORRUPT (run data verify)"
                    : ok + "/" + checks.size() + " files (run `get4j data fetch " + d.dir() + "`)";
            r.put(d.dir(), state);
        }
        return r;
    }
}
