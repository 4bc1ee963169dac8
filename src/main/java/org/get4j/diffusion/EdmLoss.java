package org.get4j.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * EDM's training objective: sigma = exp(P_mean + P_std n) with P_mean -1.2, P_std 1.2, and
 *
 * <pre>  L = E lambda(sigma) || D(y + sigma n; sigma) - y ||^2,   lambda(sigma) = (sigma^2 + sigma_d^2) / (sigma sigma_d)^2</pre>
 *
 * which makes the effective target of F unit-variance at every noise level.
 */
public final class EdmLoss {
    public static final double P_MEAN = -1.2;
    public static final double P_STD = 1.2;

    private EdmLoss() {}

    /** The batch-mean loss of clean images y (B, C, H, W); the noise draws come from the engine's generator. */
    public static NDArray loss(EdmTeacher teacher, NDArray y, NDArray labels) {
        return loss(teacher, y, labels, P_MEAN, P_STD);
    }

    /**
     * As {@link #loss(EdmTeacher, NDArray, NDArray)} with ln sigma ~ N(pMean, pStd^2) (EDM's --P_mean, --P_std): a
     * larger pMean spends the batch on the high noise levels, where a sample's class is decided.
     */
    public static NDArray loss(EdmTeacher teacher, NDArray y, NDArray labels, double pMean, double pStd) {
        long batch = y.getShape().get(0);
        NDArray sigma = y.getManager().randomNormal(new Shape(batch)).mul(pStd).add(pMean).exp();
        NDArray s = sigma.reshape(batch, 1, 1, 1);
        double sd2 = EdmTeacher.SIGMA_DATA * EdmTeacher.SIGMA_DATA;
        NDArray weight = s.square().add(sd2).div(s.mul(EdmTeacher.SIGMA_DATA).square());
        NDArray noisy = y.add(y.getManager().randomNormal(y.getShape()).mul(s));
        NDArray denoised = teacher.precondition(noisy, sigma, labels, true);
        return weight.mul(denoised.sub(y).square()).mean();
    }
}
