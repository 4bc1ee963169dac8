package org.get4j.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * EDM's denoiser D(x; sigma, class): the estimate of the clean image x0 from x = x0 + sigma n. Every teacher is
 * one; the probability-flow ODE dx/dsigma = (x - D(x; sigma)) / sigma turns noise into images.
 */
public interface Denoiser {
    /**
     * @param x noisy images (B, C, H, W)
     * @param sigma noise levels (B,), in the same dtype as x
     * @param labels class labels (B,) int64, or null for an unconditional teacher
     * @return D(x; sigma, labels), same shape and dtype as x
     */
    NDArray denoise(NDArray x, NDArray sigma, NDArray labels);

    int channels();

    int imageSize();

    /** 0 when unconditional. */
    int numClasses();

    /** Network evaluations per call of {@link #denoise}: 2 for a guided teacher, which runs two networks. */
    default int evaluationsPerCall() {
        return 1;
    }

    /** What the teacher is, with enough detail to tell two teachers apart (type, file checksum, settings). */
    String identity();
}
