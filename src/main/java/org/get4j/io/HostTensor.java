package org.get4j.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.get4j.Get4jException;

/**
 * A tensor in host memory, as read from a torch.save, safetensors or .npy file: its dtype, shape, and its elements
 * in C order as little-endian bytes.
 */
public record HostTensor(TensorDType dtype, long[] shape, byte[] data) {

    public long size() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public Shape djlShape() {
        return new Shape(shape);
    }

    /**
     * Refuses an array with no samples (a leading dimension of 0) or with a NaN or infinity, naming {@code name}:
     * models would turn either into a crash deep inside or into images that are all NaN.
     */
    public HostTensor requireFiniteSamples(String name) {
        if (shape.length == 0 || shape[0] == 0) {
            throw new Get4jException(name + " holds no samples (shape " + java.util.Arrays.toString(shape) + ")");
        }
        float[] values = toFloatArray();
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new Get4jException(name + " holds non-finite values (" + values[i] + " at flat index " + i + ")");
            }
        }
        return this;
    }

    /** The elements as float32 (float16 and float64 converted). */
    public float[] toFloatArray() {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[Math.toIntExact(size())];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (dtype) {
                case FLOAT16 -> halfToFloat(b.getShort());
                case BFLOAT16 -> Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
                case FLOAT32 -> b.getFloat();
                case FLOAT64 -> (float) b.getDouble();
                case INT64 -> b.getLong();
                case INT32 -> b.getInt();
                case INT16 -> b.getShort();
                case INT8 -> b.get();
                case UINT8, BOOL -> b.get() & 0xff;
            };
        }
        return out;
    }

    /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13)); // inf or NaN
        }
        if (exponent == 0) {
            float value = mantissa * 0x1p-24f; // subnormal (or zero)
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** The elements as float64 (exact for float16/32/64 and integers up to 2^53). */
    public double[] toDoubleArray() {
        if (dtype == TensorDType.FLOAT64) {
            double[] out = new double[Math.toIntExact(size())];
            ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
            return out;
        }
        if (dtype == TensorDType.INT64) {
            return Arrays.stream(toLongArray()).asDoubleStream().toArray();
        }
        float[] f = toFloatArray();
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    public long[] toLongArray() {
        if (dtype != TensorDType.INT64 && dtype != TensorDType.INT32) {
            throw new IllegalStateException("a " + dtype + " tensor is not an integer tensor");
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[Math.toIntExact(size())];
        for (int i = 0; i < out.length; i++) {
            out[i] = dtype == TensorDType.INT64 ? b.getLong() : b.getInt();
        }
        return out;
    }

    /** As a DJL array: float tensors as float32 (float64 kept), integers as int64. */
    public NDArray toNDArray(NDManager manager) {
        return switch (dtype) {
            case FLOAT64 -> manager.create(toDoubleArray(), djlShape());
            case INT64, INT32 -> manager.create(toLongArray(), djlShape());
            default -> manager.create(toFloatArray(), djlShape());
        };
    }

    /** The DJL type {@link #toNDArray} produces. */
    public DataType djlType() {
        return switch (dtype) {
            case FLOAT64 -> DataType.FLOAT64;
            case INT64, INT32 -> DataType.INT64;
            default -> DataType.FLOAT32;
        };
    }

    @Override
    public String toString() {
        return "HostTensor(" + dtype + ", " + Arrays.toString(shape) + ")";
    }

    /** The array's contents copied to the host: float32, float64, int64 or int32 as they are. */
    public static HostTensor of(NDArray array) {
        TensorDType dtype = switch (array.getDataType()) {
            case FLOAT32 -> TensorDType.FLOAT32;
            case FLOAT64 -> TensorDType.FLOAT64;
            case INT64 -> TensorDType.INT64;
            case INT32 -> TensorDType.INT32;
            case UINT8 -> TensorDType.UINT8;
            default -> throw new IllegalArgumentException("unsupported array type " + array.getDataType());
        };
        ByteBuffer b = array.toByteBuffer();
        byte[] data = new byte[b.remaining()];
        b.order(ByteOrder.LITTLE_ENDIAN).get(data);
        return new HostTensor(dtype, array.getShape().getShape(), data);
    }

    /** A float32 tensor of the given shape. */
    public static HostTensor ofFloats(float[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new HostTensor(TensorDType.FLOAT32, shape, b.array());
    }

    /** A float64 tensor of the given shape. */
    public static HostTensor ofDoubles(double[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(values);
        return new HostTensor(TensorDType.FLOAT64, shape, b.array());
    }

    /** An int64 tensor of the given shape. */
    public static HostTensor ofLongs(long[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new HostTensor(TensorDType.INT64, shape, b.array());
    }
}
