package org.get4j.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reader for the IDX format of MNIST and Fashion-MNIST, raw or gzip-compressed.
 *
 * <p>Header: two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions, then each dimension as a
 * big-endian int32. Image files have 3 dimensions (N, rows, columns), label files 1 (N).
 */
public final class Idx {
    private static final int UNSIGNED_BYTE = 0x08;

    private Idx() {}

    /** Images and labels as one set; the two files must hold the same number of items. */
    public static ImageSet read(String name, Path imagesFile, Path labelsFile) {
        Array images = readArray(imagesFile, 3);
        Array labels = readArray(labelsFile, 1);
        if (images.dims[0] != labels.dims[0]) {
            throw new DataFormatException(labelsFile, "holds " + labels.dims[0] + " labels but " + imagesFile
                    + " holds " + images.dims[0] + " images");
        }
        int[] labelValues = new int[labels.data.length];
        for (int i = 0; i < labelValues.length; i++) {
            labelValues[i] = labels.data[i] & 0xff;
        }
        return new ImageSet(name, images.data, labelValues, 1, images.dims[1], images.dims[2]);
    }

    /** An unsigned-byte IDX array of the expected number of dimensions. */
    public static Array readArray(Path file, int expectedDims) {
        try (DataInputStream in = new DataInputStream(open(file))) {
            int magic;
            try {
                magic = in.readInt();
            } catch (EOFException e) {
                throw new DataFormatException(file, "too short for an IDX header");
            }
            if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xff) != UNSIGNED_BYTE) {
                throw new DataFormatException(file, String.format(
                        "bad IDX magic number 0x%08x (expected 0x000008%02x: unsigned bytes, %d dimensions)",
                        magic, expectedDims, expectedDims));
            }
            int dimCount = magic & 0xff;
            if (dimCount != expectedDims) {
                throw new DataFormatException(file, "has " + dimCount + " dimensions, expected " + expectedDims);
            }
            int[] dims = new int[dimCount];
            long total = 1;
            for (int d = 0; d < dimCount; d++) {
                try {
                    dims[d] = in.readInt();
                } catch (EOFException e) {
                    throw new DataFormatException(file, "truncated inside the IDX header");
                }
                if (dims[d] < 0) {
                    throw new DataFormatException(file, "negative dimension " + dims[d]);
                }
                total *= dims[d];
            }
            if (total > Integer.MAX_VALUE - 16) {
                throw new DataFormatException(file, "declares " + total + " bytes, too many for one array");
            }
            byte[] data = new byte[(int) total];
            int read = in.readNBytes(data, 0, data.length);
            if (read < data.length) {
                throw new DataFormatException(file, "truncated: the header declares " + data.length
                        + " data bytes, the file holds " + read);
            }
            if (in.read() != -1) {
                throw new DataFormatException(file, "has bytes after the " + data.length + " the header declares");
            }
            return new Array(dims, data);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Opens a file, decompressing it when it starts with the gzip magic bytes. */
    static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        return (b0 == 0x1f && b1 == 0x8b) ? new BufferedInputStream(new GZIPInputStream(in, 1 << 16)) : in;
    }

    /** Writes an unsigned-byte IDX file (used by tests and tools that export data). */
    public static byte[] encode(int[] dims, byte[] data) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            out.writeInt((UNSIGNED_BYTE << 8) | dims.length);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The dimensions and bytes of one IDX array. */
    public record Array(int[] dims, byte[] data) {}
}
