package org.get4j.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.get4j.Get4jException;

/**
 * NumPy's {@code .npy} format (version 1 and 2 headers), C order, little-endian: float16/32/64, int32/64, uint8,
 * bool. The file numpy.save and numpy.load use, so arrays move between get4j and Python without conversion code.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    public static HostTensor read(Path file) {
        try {
            return decode(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** A .npy header: element type, shape, and where the C-order data starts in the file. */
    public record Header(TensorDType dtype, long[] shape, int dataOffset) {
        public long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        /** Bytes of the data section. */
        public long dataBytes() {
            return elements() * dtype.bytes();
        }
    }

    /** Bytes enough to hold any header get4j or numpy writes (numpy pads headers to 64 or 4096 bytes). */
    public static final int MAX_HEADER_BYTES = 1 << 16;

    /** The header from the first bytes of a .npy file (at least the whole header); {@code file} names it in errors. */
    public static Header header(byte[] bytes, String file) {
        if (bytes.length < 10 || !java.util.Arrays.equals(java.util.Arrays.copyOf(bytes, 6), MAGIC)) {
            throw new Get4jException(file + " is not a .npy file (bad magic)");
        }
        int major = bytes[6];
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = major == 1 ? (b.getShort(8) & 0xffff) : b.getInt(8);
        int start = major == 1 ? 10 : 12;
        if (start + headerLength > bytes.length) {
            throw new Get4jException(file + ": truncated .npy header");
        }
        String header = new String(bytes, start, headerLength, StandardCharsets.ISO_8859_1);
        Matcher descr = DESCR.matcher(header);
        Matcher order = ORDER.matcher(header);
        Matcher shape = SHAPE.matcher(header);
        if (!descr.find() || !order.find() || !shape.find()) {
            throw new Get4jException(file + ": unreadable .npy header " + header.strip());
        }
        if (order.group(1).equals("True")) {
            throw new Get4jException(file + ": Fortran-order arrays are not supported (save with np.ascontiguousarray)");
        }
        TensorDType dtype = switch (descr.group(1)) {
            case "<f2" -> TensorDType.FLOAT16;
            case "<f4" -> TensorDType.FLOAT32;
            case "<f8" -> TensorDType.FLOAT64;
            case "<i4" -> TensorDType.INT32;
            case "<i8" -> TensorDType.INT64;
            case "|u1" -> TensorDType.UINT8;
            case "|b1" -> TensorDType.BOOL;
            default -> throw new Get4jException(file + ": unsupported .npy dtype '" + descr.group(1)
                    + "' (supported: <f2 <f4 <f8 <i4 <i8 |u1 |b1)");
        };
        List<Long> dims = new ArrayList<>();
        for (String part : shape.group(1).split(",")) {
            if (!part.isBlank()) {
                dims.add(Long.parseLong(part.strip()));
            }
        }
        return new Header(dtype, dims.stream().mapToLong(Long::longValue).toArray(), start + headerLength);
    }

    /** An array from the bytes of a .npy file; {@code file} names it in errors. */
    public static HostTensor decode(byte[] bytes, String file) {
        Header h = header(bytes, file);
        if (bytes.length - h.dataOffset() != h.dataBytes()) {
            throw new Get4jException(file + ": shape " + java.util.Arrays.toString(h.shape()) + " of " + h.dtype()
                    + " needs " + h.dataBytes() + " data bytes, the file holds " + (bytes.length - h.dataOffset()));
        }
        return new HostTensor(h.dtype(), h.shape(), java.util.Arrays.copyOfRange(bytes, h.dataOffset(), bytes.length));
    }

    /** Writes a tensor as a version-1 .npy file, atomically. */
    public static void write(Path file, HostTensor t) {
        try {
            AtomicFiles.write(file, encode(t));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The bytes of a version-1 .npy file holding the tensor. */
    public static byte[] encode(HostTensor t) {
        String descr = switch (t.dtype()) {
            case FLOAT16 -> "<f2";
            case FLOAT32 -> "<f4";
            case FLOAT64 -> "<f8";
            case INT32 -> "<i4";
            case INT64 -> "<i8";
            case UINT8 -> "|u1";
            case BOOL -> "|b1";
            default -> throw new IllegalArgumentException("no .npy code for " + t.dtype());
        };
        StringBuilder shape = new StringBuilder();
        for (long d : t.shape()) {
            shape.append(d).append(", ");
        }
        String dims = t.shape().length == 1 ? shape.toString().strip() : shape.length() == 0 ? ""
                : shape.substring(0, shape.length() - 2);
        StringBuilder header = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': ("
                + dims + "), }");
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC);
        out.write(1);
        out.write(0);
        out.write(header.length() & 0xff);
        out.write(header.length() >>> 8);
        out.writeBytes(header.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(t.data());
        return out.toByteArray();
    }
}
