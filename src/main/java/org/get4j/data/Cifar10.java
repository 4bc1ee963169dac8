package org.get4j.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reader for the CIFAR-10 binary format ({@code cifar-10-batches-bin}): each record is one label byte followed by
 * a 32x32 image as 1024 red, 1024 green and 1024 blue bytes, which is already NCHW.
 */
public final class Cifar10 {
    public static final int SIDE = 32;
    public static final int CHANNELS = 3;
    public static final int CLASSES = 10;
    static final int RECORD = 1 + CHANNELS * SIDE * SIDE;

    public static final List<String> TRAIN_FILES = List.of(
            "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    public static final String TEST_FILE = "test_batch.bin";

    private Cifar10() {}

    /** The 50,000 training images of a {@code cifar-10-batches-bin} folder. */
    public static ImageSet train(Path folder) {
        return read("cifar10-train", TRAIN_FILES.stream().map(folder::resolve).toList());
    }

    /** The 10,000 test images of a {@code cifar-10-batches-bin} folder. */
    public static ImageSet test(Path folder) {
        return read("cifar10-test", List.of(folder.resolve(TEST_FILE)));
    }

    /** The concatenation of the given batch files. */
    public static ImageSet read(String name, List<Path> files) {
        List<byte[]> contents = new ArrayList<>();
        int images = 0;
        for (Path file : files) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read CIFAR-10 file " + file + ": " + e.getMessage(), e);
            }
            if (bytes.length == 0 || bytes.length % RECORD != 0) {
                throw new DataFormatException(file, "is " + bytes.length + " bytes, not a whole number of "
                        + RECORD + "-byte CIFAR-10 records (truncated or not a CIFAR-10 binary batch)");
            }
            for (int offset = 0; offset < bytes.length; offset += RECORD) {
                int label = bytes[offset] & 0xff;
                if (label >= CLASSES) {
                    throw new DataFormatException(file, "record " + offset / RECORD + " has label " + label
                            + ", CIFAR-10 labels are 0..9");
                }
            }
            contents.add(bytes);
            images += bytes.length / RECORD;
        }
        byte[] pixels = new byte[images * (RECORD - 1)];
        int[] labels = new int[images];
        int i = 0;
        for (byte[] bytes : contents) {
            for (int offset = 0; offset < bytes.length; offset += RECORD, i++) {
                labels[i] = bytes[offset] & 0xff;
                System.arraycopy(bytes, offset + 1, pixels, i * (RECORD - 1), RECORD - 1);
            }
        }
        return new ImageSet(name, pixels, labels, CHANNELS, SIDE, SIDE);
    }
}
