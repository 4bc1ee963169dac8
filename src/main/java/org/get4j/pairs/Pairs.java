package org.get4j.pairs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A block of (noise, image) pairs in host memory: noise and images (n, C, H, W) float32 in row-major order, the
 * seed of each pair, and its class label (or null when unconditional).
 */
public record Pairs(float[] noise, float[] images, long[] seeds, long[] labels, int channels, int size) {

    public int count() {
        return seeds.length;
    }

    public NDArray noiseArray(NDManager m) {
        return m.create(noise, shape());
    }

    public NDArray imageArray(NDManager m) {
        return m.create(images, shape());
    }

    /** Labels as int64 (n,), or null. */
    public NDArray labelArray(NDManager m) {
        return labels == null ? null : m.create(labels);
    }

    private Shape shape() {
        return new Shape(count(), channels, size, size);
    }
}
