package org.get4j.pairs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.get4j.Get4jException;
import org.get4j.io.AtomicFiles;
import org.get4j.io.JsonErrors;

/**
 * What a pair store holds: which teacher made it with which sampler, the seeds, shapes and dtypes, and every
 * shard with its seed range and SHA-256. Written last, once every shard is verified; a store without it is
 * unfinished.
 */
public record PairManifest(String format, String source, String teacher, Map<String, Object> sampler,
        long firstSeed, long count, int shardSize, int channels, int imageSize, int numClasses, String imageDtype,
        List<Shard> shards, Map<String, String> versions) {

    public static final String FORMAT = "get4j-pairs-1";
    public static final String FILE = "manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    /** One shard: file name (relative to the store), its seeds, and the file's SHA-256. */
    public record Shard(String file, long firstSeed, int count, String sha256) {}

    /** Shard i covers seeds [firstSeed + i * shardSize, ...) of at most shardSize. */
    public static int shardCount(long count, int shardSize) {
        return (int) ((count + shardSize - 1) / shardSize);
    }

    public static String shardFile(int index) {
        return String.format("shard-%05d.safetensors", index);
    }

    public void write(Path dir) {
        try {
            AtomicFiles.write(dir.resolve(FILE), toBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }

    /** The manifest file's bytes (keys sorted: the same store gives the same bytes wherever it was made). */
    public byte[] toBytes() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static PairManifest read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new Get4jException("no " + FILE + " in " + dir + ": not a pair store, or its generation did not "
                    + "finish (run `get4j pairs generate` again with the same arguments to complete it)");
        }
        try {
            return parse(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** A manifest from its bytes ({@code file} names it in errors), checked for format and shard count. */
    public static PairManifest parse(byte[] bytes, String file) {
        PairManifest m;
        try {
            m = JSON.readValue(bytes, PairManifest.class);
        } catch (IOException e) {
            throw new Get4jException(file + ": unreadable manifest: " + JsonErrors.describe(e));
        }
        if (!FORMAT.equals(m.format())) {
            throw new Get4jException(file + ": format '" + m.format() + "' is not " + FORMAT);
        }
        if (m.shards().size() != shardCount(m.count(), m.shardSize())) {
            throw new Get4jException(file + ": lists " + m.shards().size() + " shards, " + m.count() + " pairs in shards of "
                    + m.shardSize() + " need " + shardCount(m.count(), m.shardSize()));
        }
        return m;
    }

    public long pixels() {
        return (long) channels * imageSize * imageSize;
    }
}
