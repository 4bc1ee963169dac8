package org.get4j.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.get4j.Get4jException;

/**
 * The safetensors format (a little-endian u64 header length, a JSON header, raw C-order data), readable by the
 * Python {@code safetensors} package. get4j adds one metadata entry, {@code get4j.data_sha256}, the SHA-256 of the
 * data section, so a corrupt file is detected on load instead of silently used.
 */
public final class SafeTensors {
    public static final String DATA_SHA256 = "get4j.data_sha256";
    /** SHA-256 of the other metadata entries (sorted "key=value" lines), so an edited step or config is detected. */
    public static final String METADATA_SHA256 = "get4j.metadata_sha256";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafeTensors() {}

    /** Tensors and string metadata of one file. */
    public record Contents(Map<String, HostTensor> tensors, Map<String, String> metadata) {}

    private static String code(TensorDType t) {
        return switch (t) {
            case FLOAT16 -> "F16";
            case BFLOAT16 -> "BF16";
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case INT64 -> "I64";
            case INT32 -> "I32";
            case INT16 -> "I16";
            case INT8 -> "I8";
            case UINT8 -> "U8";
            case BOOL -> "BOOL";
        };
    }

    private static TensorDType dtype(String code, String file, String key) {
        for (TensorDType t : TensorDType.values()) {
            if (code(t).equals(code)) {
                return t;
            }
        }
        throw new Get4jException(file + ": tensor '" + key + "' has unsupported dtype " + code);
    }

    /** Writes tensors (in map order) and metadata atomically. */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata) {
        byte[] bytes = encode(tensors, metadata);
        try {
            AtomicFiles.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The bytes of a safetensors file: tensors in map order, metadata sorted, the data checksum added. */
    public static byte[] encode(Map<String, HostTensor> tensors, Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        long offset = 0;
        MessageDigest digest = digest();
        for (var e : tensors.entrySet()) {
            HostTensor t = e.getValue();
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", code(t.dtype()));
            var shape = entry.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + t.data().length);
            offset += t.data().length;
            digest.update(t.data());
        }
        ObjectNode meta = header.putObject("__metadata__");
        java.util.TreeMap<String, String> sorted = new java.util.TreeMap<>(metadata);
        sorted.remove(DATA_SHA256);
        sorted.remove(METADATA_SHA256);
        sorted.forEach(meta::put); // sorted: the same content gives the same bytes
        meta.put(DATA_SHA256, HexFormat.of().formatHex(digest.digest()));
        meta.put(METADATA_SHA256, metadataSha256(sorted));
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int pad = (8 - json.length % 8) % 8;
        long total = 8L + json.length + pad + offset;
        if (total > Integer.MAX_VALUE - 8) {
            throw new Get4jException("tensors of " + total + " bytes do not fit one in-memory safetensors file");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length + pad).put(json);
        for (int i = 0; i < pad; i++) {
            out.put((byte) ' ');
        }
        for (HostTensor t : tensors.values()) {
            out.put(t.data());
        }
        return out.array();
    }

    /** True when the file starts like a safetensors file (a plausible header length, then '{'). */
    public static boolean looksLike(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(9);
            if (head.length < 9) {
                return false;
            }
            long n = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            return n > 1 && n < (1L << 30) && head[8] == '{';
        } catch (IOException e) {
            return false;
        }
    }

    public static Contents read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return decode(bytes, file.toString());
    }

    /**
     * Parses the bytes of a safetensors file named {@code file} in messages, verifying the data checksum when the
     * file records one.
     */
    public static Contents decode(byte[] bytes, String file) {
        if (bytes.length < 8) {
            throw new Get4jException(file + " is not a safetensors file (shorter than its header length)");
        }
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode header = header(bytes, 8, n, bytes.length, file);
        int dataStart = (int) (8 + n);
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        MessageDigest digest = digest();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().equals("__metadata__")) {
                e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            JsonNode entry = e.getValue();
            TensorDType dtype = dtype(entry.path("dtype").asText(), file, e.getKey());
            long[] shape = new long[entry.path("shape").size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = entry.path("shape").get(i).asLong();
                count *= shape[i];
            }
            long begin = entry.path("data_offsets").path(0).asLong(-1);
            long end = entry.path("data_offsets").path(1).asLong(-1);
            if (begin < 0 || end < begin || dataStart + end > bytes.length || end - begin != count * dtype.bytes()) {
                throw new Get4jException(file + ": tensor '" + e.getKey() + "' has bad offsets [" + begin + ", " + end
                        + ") for shape " + java.util.Arrays.toString(shape) + " (truncated or corrupt file)");
            }
            byte[] data = java.util.Arrays.copyOfRange(bytes, (int) (dataStart + begin), (int) (dataStart + end));
            digest.update(data);
            tensors.put(e.getKey(), new HostTensor(dtype, shape, data));
        }
        String recorded = metadata.get(DATA_SHA256);
        if (recorded != null) {
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!recorded.equals(actual)) {
                throw new Get4jException(file + ": data checksum mismatch (recorded " + recorded + ", computed "
                        + actual + "): the file is corrupt");
            }
        }
        verifyMetadata(metadata, file);
        return new Contents(tensors, metadata);
    }

    private static void verifyMetadata(Map<String, String> metadata, String file) {
        String recorded = metadata.get(METADATA_SHA256);
        if (recorded != null && !recorded.equals(metadataSha256(metadata))) {
            throw new Get4jException(file + ": metadata checksum mismatch (an entry such as 'step' was edited or "
                    + "damaged): the file is corrupt");
        }
    }

    /** The checksum of every metadata entry but the two checksums, as sorted "key=value" lines. */
    private static String metadataSha256(Map<String, String> metadata) {
        MessageDigest digest = digest();
        new java.util.TreeMap<>(metadata).forEach((k, v) -> {
            if (!k.equals(DATA_SHA256) && !k.equals(METADATA_SHA256)) {
                digest.update((k + "=" + v + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        });
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * The metadata of a safetensors file, from its header alone: its checksum is verified, the data's is not (no
     * tensor data is read; use {@link #read} for that).
     */
    public static Map<String, String> metadata(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] length = in.readNBytes(8);
            if (length.length < 8) {
                throw new Get4jException(file + " is not a safetensors file (shorter than its header length)");
            }
            long n = ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getLong();
            long size = Files.size(file);
            byte[] json = in.readNBytes((int) Math.max(0, Math.min(n, size - 8)));
            Map<String, String> metadata = new LinkedHashMap<>();
            header(json, 0, n, size, file.toString()).path("__metadata__").fields()
                    .forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
            verifyMetadata(metadata, file.toString());
            return metadata;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The JSON header: {@code n} bytes from {@code offset} of {@code bytes}, in a file of {@code fileSize} bytes. */
    private static JsonNode header(byte[] bytes, int offset, long n, long fileSize, String file) {
        if (n < 2 || 8 + n > fileSize) {
            throw new Get4jException(file + " is not a safetensors file or is truncated (header length " + n
                    + ", file " + fileSize + " bytes)");
        }
        try {
            return JSON.readTree(new String(bytes, offset, (int) n, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new Get4jException(file + ": unreadable safetensors header: " + e.getMessage());
        }
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
