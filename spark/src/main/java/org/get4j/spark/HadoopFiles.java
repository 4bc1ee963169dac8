package org.get4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.get4j.io.Checksums;

/**
 * Files through the Hadoop FileSystem API, so the same job writes to a local folder in tests and to HDFS or an
 * object store on a cluster. Writes are atomic where the file system allows: a temporary sibling with a unique
 * name, then a rename.
 */
public final class HadoopFiles {
    /** Temporary files start with this (and end with {@link #TMP_SUFFIX}); readers and listings ignore them. */
    public static final String TMP_PREFIX = ".";
    public static final String TMP_SUFFIX = ".tmp";

    private HadoopFiles() {}

    /** The file system of a URI; local files go through the raw local file system (no .crc side files). */
    public static FileSystem fs(String uri, Configuration conf) {
        try {
            FileSystem fs = new Path(uri).getFileSystem(conf);
            return fs instanceof org.apache.hadoop.fs.LocalFileSystem local ? local.getRaw() : fs;
        } catch (IOException e) {
            throw new UncheckedIOException("no file system for " + uri + ": " + e.getMessage(), e);
        }
    }

    public static boolean exists(FileSystem fs, Path file) {
        try {
            return fs.exists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check " + file + ": " + e.getMessage(), e);
        }
    }

    public static byte[] read(FileSystem fs, Path file) {
        try (FSDataInputStream in = fs.open(file)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code length} bytes from {@code offset} (a positioned read: executors read only their slice of a file). */
    public static byte[] read(FileSystem fs, Path file, long offset, int length) {
        byte[] out = new byte[length];
        try (FSDataInputStream in = fs.open(file)) {
            in.readFully(offset, out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + length + " bytes at " + offset + " of " + file + ": "
                    + e.getMessage(), e);
        }
    }

    public static long length(FileSystem fs, Path file) {
        try {
            return fs.getFileStatus(file).getLen();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat " + file + ": " + e.getMessage(), e);
        }
    }

    /** A temporary sibling of {@code target}, unique to this attempt, so concurrent attempts never share one. */
    public static Path temporarySibling(Path target) {
        return new Path(target.getParent(), TMP_PREFIX + target.getName() + "." + UUID.randomUUID() + TMP_SUFFIX);
    }

    /** Writes {@code content} to a temporary sibling; {@link #commit} publishes it. */
    public static Path writeTemporary(FileSystem fs, Path target, byte[] content) {
        Path tmp = temporarySibling(target);
        try (FSDataOutputStream out = fs.create(tmp, false)) {
            out.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + tmp + ": " + e.getMessage(), e);
        }
        return tmp;
    }

    /**
     * Renames {@code tmp} to {@code target}. Returns false, having removed {@code tmp}, when the target already
     * exists (another attempt of the same task won: its content is the same by construction, so nothing is lost).
     */
    public static boolean commit(FileSystem fs, Path tmp, Path target) {
        try {
            if (fs.rename(tmp, target)) {
                return true;
            }
            if (fs.exists(target)) {
                fs.delete(tmp, false);
                return false;
            }
            throw new IOException("rename " + tmp + " -> " + target + " failed");
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    public static void delete(FileSystem fs, Path file) {
        try {
            fs.delete(file, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes a file that may be replaced (a manifest, a plan): temporary sibling, delete the old, rename. */
    public static void replace(FileSystem fs, Path target, byte[] content) {
        Path tmp = writeTemporary(fs, target, content);
        try {
            if (fs.exists(target)) {
                fs.delete(target, false);
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("rename " + tmp + " -> " + target + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish " + target + ": " + e.getMessage(), e);
        }
    }

    /** Removes temporary files that failed or killed attempts left in {@code dir}; returns how many. */
    public static int removeTemporaries(FileSystem fs, Path dir) {
        int removed = 0;
        try {
            if (!fs.exists(dir)) {
                return 0;
            }
            for (FileStatus s : fs.listStatus(dir)) {
                String name = s.getPath().getName();
                if (s.isFile() && name.startsWith(TMP_PREFIX) && name.endsWith(TMP_SUFFIX) && fs.delete(s.getPath(), false)) {
                    removed++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + dir + ": " + e.getMessage(), e);
        }
        return removed;
    }

    /**
     * A local copy of a file named by URI, for code that needs a local path (a teacher or a classifier the engine
     * loads). A local path is used as it is, and where it does not exist (an executor on another machine than the
     * driver), the file of the same name shipped with the job ({@code spark-submit --files}, {@code addFile}) is
     * used instead. Anything else is copied once per process into the temporary folder, with its sidecar
     * {@code <name>.json} when there is one (a TorchScript teacher's description).
     */
    public static synchronized java.nio.file.Path local(String uri, Configuration conf) {
        Path p = new Path(uri);
        String scheme = p.toUri().getScheme();
        if (scheme == null || scheme.equals("file")) {
            java.nio.file.Path path = java.nio.file.Path.of(p.toUri().getPath());
            java.nio.file.Path shipped = Files.exists(path) ? null : shippedWithJob(p.getName());
            return shipped != null ? shipped : path;
        }
        java.nio.file.Path cache = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "get4j-spark",
                Checksums.sha256(uri.getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 16), p.getName());
        FileSystem fs = fs(uri, conf);
        Path sidecar = new Path(uri + ".json");
        if (exists(fs, sidecar)) {
            copy(fs, sidecar, cache.resolveSibling(p.getName() + ".json"));
        }
        copy(fs, p, cache);
        return cache;
    }

    /** The file of this name shipped with the job to this process (--files), or null when there is none. */
    private static java.nio.file.Path shippedWithJob(String name) {
        if (org.apache.spark.SparkEnv.get() == null) {
            return null; // not inside a Spark application
        }
        java.nio.file.Path f = java.nio.file.Path.of(org.apache.spark.SparkFiles.get(name));
        return Files.isRegularFile(f) ? f : null;
    }

    private static void copy(FileSystem fs, Path from, java.nio.file.Path to) {
        if (Files.isRegularFile(to)) {
            return;
        }
        try {
            Files.createDirectories(to.getParent());
            java.nio.file.Path tmp = Files.createTempFile(to.getParent(), "." + to.getFileName(), ".tmp");
            Files.write(tmp, read(fs, from));
            Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }
}
