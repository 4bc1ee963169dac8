package org.get4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * A labelled set of 8-bit images in NCHW layout (image, channel, row, column), the form every reader returns.
 * Diffusion models see pixels in [-1, 1]: {@link #toFloat} applies x / 127.5 - 1.
 */
public final class ImageSet {
    private final String name;
    private final byte[] pixels;
    private final int[] labels;
    private final int channels;
    private final int height;
    private final int width;

    public ImageSet(String name, byte[] pixels, int[] labels, int channels, int height, int width) {
        this.name = Objects.requireNonNull(name);
        this.pixels = Objects.requireNonNull(pixels);
        this.labels = Objects.requireNonNull(labels);
        this.channels = channels;
        this.height = height;
        this.width = width;
        long expected = (long) labels.length * imageSize();
        if (pixels.length != expected) {
            throw new IllegalArgumentException(name + ": " + labels.length + " labels need " + expected
                    + " pixel bytes, got " + pixels.length);
        }
    }

    public String name() {
        return name;
    }

    public int size() {
        return labels.length;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Bytes per image: C * H * W. */
    public int imageSize() {
        return channels * height * width;
    }

    public int label(int i) {
        return labels[i];
    }

    public int[] labels() {
        return labels.clone();
    }

    /** Pixel (c, y, x) of image i, 0..255. */
    public int pixel(int i, int c, int y, int x) {
        return pixels[((i * channels + c) * height + y) * width + x] & 0xff;
    }

    /** The uint8 pixels of images [from, to), NCHW. */
    public byte[] pixels(int from, int to) {
        checkRange(from, to);
        return Arrays.copyOfRange(pixels, from * imageSize(), to * imageSize());
    }

    /** Images [from, to) as a new set. */
    public ImageSet slice(int from, int to) {
        checkRange(from, to);
        return new ImageSet(name, pixels(from, to), Arrays.copyOfRange(labels, from, to), channels, height, width);
    }

    /**
     * The images centred on a larger canvas of {@code size} x {@code size}, the border black (0, which is -1 in
     * [-1, 1]): MNIST's 28 x 28 becomes 32 x 32, which patch sizes 2, 4 and the teacher's U-Net divide.
     */
    public ImageSet padTo(int size) {
        if (size < height || size < width) {
            throw new IllegalArgumentException(name + ": cannot pad " + height + "x" + width + " to " + size);
        }
        int top = (size - height) / 2;
        int left = (size - width) / 2;
        byte[] out = new byte[size() * channels * size * size];
        for (int i = 0; i < size(); i++) {
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < height; y++) {
                    System.arraycopy(pixels, ((i * channels + c) * height + y) * width, out,
                            ((i * channels + c) * size + y + top) * size + left, width);
                }
            }
        }
        return new ImageSet(name + "-" + size, out, labels.clone(), channels, size, size);
    }

    /** The images at the given indices, in that order, as float32 (N, C, H, W) in [-1, 1]. */
    public NDArray toFloat(NDManager manager, int[] indices) {
        byte[] batch = new byte[indices.length * imageSize()];
        for (int j = 0; j < indices.length; j++) {
            System.arraycopy(pixels, indices[j] * imageSize(), batch, j * imageSize(), imageSize());
        }
        Shape shape = new Shape(indices.length, channels, height, width);
        try (NDArray raw = manager.create(ByteBuffer.wrap(batch), shape, DataType.UINT8)) {
            return raw.toType(DataType.FLOAT32, false).divi(127.5f).subi(1f);
        }
    }

    /** How many images carry each label 0..numClasses-1. */
    public int[] classCounts(int numClasses) {
        int[] counts = new int[numClasses];
        for (int label : labels) {
            if (label < 0 || label >= numClasses) {
                throw new IllegalArgumentException(name + ": label " + label + " outside 0.." + (numClasses - 1));
            }
            counts[label]++;
        }
        return counts;
    }

    /** Images [from, to) as a float32 (N, C, H, W) array in [-1, 1], on the manager's device. */
    public NDArray toFloat(NDManager manager, int from, int to) {
        checkRange(from, to);
        Shape shape = new Shape(to - from, channels, height, width);
        try (NDArray raw = manager.create(ByteBuffer.wrap(pixels(from, to)), shape, DataType.UINT8)) {
            return raw.toType(DataType.FLOAT32, false).divi(127.5f).subi(1f);
        }
    }

    /** Labels [from, to) as an int64 (N,) array. */
    public NDArray labelsArray(NDManager manager, int from, int to) {
        checkRange(from, to);
        long[] values = new long[to - from];
        for (int i = from; i < to; i++) {
            values[i - from] = labels[i];
        }
        return manager.create(values);
    }

    private void checkRange(int from, int to) {
        if (from < 0 || to > size() || from > to) {
            throw new IndexOutOfBoundsException(name + ": range [" + from + ", " + to + ") of " + size() + " images");
        }
    }

    @Override
    public String toString() {
        return name + ": " + size() + " images of " + channels + "x" + height + "x" + width;
    }
}
