package org.get4j.io;

import java.nio.file.Path;
import java.util.Arrays;
import org.get4j.Get4jException;

/** Class labels from an .npy file: integers (B,), or one-hot (B, K) reduced by argmax (the reference's pair files). */
public final class ClassLabels {
    private ClassLabels() {
    }

    /** The {@code count} labels in {@code file}, each in 0..classes-1; anything else is refused naming the file. */
    public static long[] read(Path file, int classes, long count) {
        HostTensor t = Npy.read(file);
        long[] values;
        if (t.shape().length == 1 && (t.dtype() == TensorDType.INT64 || t.dtype() == TensorDType.INT32)) {
            values = t.toLongArray();
        } else if (t.shape().length == 2 && t.shape()[1] == classes) {
            values = argmax(t, classes);
        } else {
            throw new Get4jException(file + ": labels must be integers (B,) or one-hot (B, " + classes + "), got "
                    + t.dtype() + " " + Arrays.toString(t.shape()));
        }
        if (values.length != count) {
            throw new Get4jException(file + " holds " + values.length + " labels for " + count + " noise samples");
        }
        for (long v : values) {
            if (v < 0 || v >= classes) {
                throw new Get4jException(file + ": label " + v + " outside 0.." + (classes - 1));
            }
        }
        return values;
    }

    /**
     * The {@code count} labels of a label file: an .npy as {@link #read}, otherwise text with one class per line
     * (blank lines and {@code #} comments skipped). Errors name the file and line.
     */
    public static long[] readList(Path file, long count, int classes) {
        if (file.getFileName().toString().endsWith(".npy")) {
            return read(file, classes, count);
        }
        java.util.List<String> lines;
        try {
            lines = java.nio.file.Files.readAllLines(file);
        } catch (java.io.IOException e) {
            throw new Get4jException("cannot read labels " + file + ": " + e.getMessage());
        }
        long[] values = new long[lines.size()];
        int k = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).replaceFirst("#.*", "").strip();
            if (line.isEmpty()) {
                continue;
            }
            long v;
            try {
                v = Long.parseLong(line);
            } catch (NumberFormatException e) {
                throw new Get4jException(file + " line " + (i + 1) + ": '" + line + "' is not a class number");
            }
            if (v < 0 || v >= classes) {
                throw new Get4jException(file + " line " + (i + 1) + ": class " + v + " outside 0.." + (classes - 1));
            }
            values[k++] = v;
        }
        if (k != count) {
            throw new Get4jException(file + " holds " + k + " labels for " + count + " samples (--n)");
        }
        return Arrays.copyOf(values, k);
    }

    /** The class of each one-hot (or score) row of a (B, K) tensor: the index of its largest entry. */
    public static long[] argmax(HostTensor oneHot, int classes) {
        float[] f = oneHot.toFloatArray();
        long[] out = new long[f.length / classes];
        for (int i = 0; i < out.length; i++) {
            int best = 0;
            for (int k = 1; k < classes; k++) {
                if (f[i * classes + k] > f[i * classes + best]) {
                    best = k;
                }
            }
            out[i] = best;
        }
        return out;
    }
}
