package org.get4j.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * Classifier-free guidance (Ho and Salimans, 2022) from a conditional and an unconditional denoiser:
 *
 * <pre>  D_w(x; sigma, c) = D(x; sigma) + w (D(x; sigma, c) - D(x; sigma))</pre>
 *
 * w = 1 is the conditional teacher, w = 0 the unconditional one; w > 1 pushes each step away from what every class
 * shares, towards what marks class c. The unconditional denoiser here is a network of its own (the teacher the
 * conditional one was warm-started from), so no label dropout was needed in training. Costs two evaluations per step.
 */
public final class GuidedTeacher implements Denoiser {
    private final Denoiser conditional;
    private final Denoiser unconditional;
    private final double weight;

    public GuidedTeacher(Denoiser conditional, Denoiser unconditional, double weight) {
        if (conditional.numClasses() == 0 || unconditional.numClasses() != 0) {
            throw new IllegalArgumentException("guidance needs a conditional and an unconditional teacher, got "
                    + conditional.identity() + " and " + unconditional.identity());
        }
        if (conditional.channels() != unconditional.channels() || conditional.imageSize() != unconditional.imageSize()) {
            throw new IllegalArgumentException("guidance: the two teachers draw different images: "
                    + conditional.identity() + " and " + unconditional.identity());
        }
        if (!(weight >= 0 && Double.isFinite(weight))) {
            throw new IllegalArgumentException("guidance weight " + weight + ": expected a finite number >= 0");
        }
        this.conditional = conditional;
        this.unconditional = unconditional;
        this.weight = weight;
    }

    @Override
    public NDArray denoise(NDArray x, NDArray sigma, NDArray labels) {
        NDArray u = unconditional.denoise(x, sigma, null);
        NDArray c = conditional.denoise(x, sigma, labels);
        return u.add(c.sub(u).mul(weight));
    }

    @Override
    public int evaluationsPerCall() {
        return conditional.evaluationsPerCall() + unconditional.evaluationsPerCall();
    }

    public double weight() {
        return weight;
    }

    @Override
    public int channels() {
        return conditional.channels();
    }

    @Override
    public int imageSize() {
        return conditional.imageSize();
    }

    @Override
    public int numClasses() {
        return conditional.numClasses();
    }

    @Override
    public String identity() {
        return "guided(w=" + weight + ", " + conditional.identity() + ", " + unconditional.identity() + ")";
    }
}
