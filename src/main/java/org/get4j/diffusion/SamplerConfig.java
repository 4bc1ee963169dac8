package org.get4j.diffusion;

import java.util.LinkedHashMap;
import java.util.Map;
import org.get4j.Get4jException;
import org.get4j.InvalidValueException;

/**
 * EDM sampler settings. Defaults are the reference's pair generation: 18 steps (35 evaluations), sigma in
 * [0.002, 80], rho 7, Heun, no churn, float64 state.
 *
 * @param steps N
 * @param heun Heun's second-order correction (EDM Algorithm 2) or plain Euler
 * @param churn S_churn (0: deterministic); with sChurnMin, sChurnMax, sNoise as in EDM
 * @param float64 keep the ODE state in float64 (the teacher still computes in its own precision)
 */
public record SamplerConfig(int steps, double sigmaMin, double sigmaMax, double rho, boolean heun, double churn,
        double sChurnMin, double sChurnMax, double sNoise, boolean float64) implements java.io.Serializable {

    public SamplerConfig {
        if (steps < 1) {
            throw new InvalidValueException("sampler", "steps", steps, "at least 1");
        }
        if (!(sigmaMin > 0 && sigmaMax > sigmaMin)) {
            throw new Get4jException("sampler: need 0 < sigma_min < sigma_max, got " + sigmaMin + ", " + sigmaMax);
        }
        if (!(rho > 0) || churn < 0 || sNoise < 0) {
            throw new Get4jException("sampler: rho must be > 0 and churn, s_noise >= 0");
        }
    }

    public static SamplerConfig reference() {
        return new SamplerConfig(18, 0.002, 80, 7, true, 0, 0, Double.POSITIVE_INFINITY, 1, true);
    }

    public SamplerConfig withSteps(int n) {
        return new SamplerConfig(n, sigmaMin, sigmaMax, rho, heun, churn, sChurnMin, sChurnMax, sNoise, float64);
    }

    public SamplerConfig withEuler() {
        return new SamplerConfig(steps, sigmaMin, sigmaMax, rho, false, churn, sChurnMin, sChurnMax, sNoise, float64);
    }

    public SamplerConfig withChurn(double sChurn) {
        return new SamplerConfig(steps, sigmaMin, sigmaMax, rho, heun, sChurn, sChurnMin, sChurnMax, sNoise, float64);
    }

    public SamplerConfig withFloat64(boolean f) {
        return new SamplerConfig(steps, sigmaMin, sigmaMax, rho, heun, churn, sChurnMin, sChurnMax, sNoise, f);
    }

    /** Network evaluations per sample: 2N - 1 for Heun (no correction on the last step), N for Euler. */
    public int evaluations() {
        return heun ? 2 * steps - 1 : steps;
    }

    /** Network evaluations per sample of this teacher (twice {@link #evaluations()} for a guided one). */
    public int evaluations(Denoiser teacher) {
        return evaluations() * teacher.evaluationsPerCall();
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("steps", steps);
        m.put("sigma_min", sigmaMin);
        m.put("sigma_max", sigmaMax);
        m.put("rho", rho);
        m.put("solver", heun ? "heun" : "euler");
        m.put("s_churn", churn);
        m.put("s_churn_min", sChurnMin);
        m.put("s_churn_max", Double.isInfinite(sChurnMax) ? "inf" : sChurnMax);
        m.put("s_noise", sNoise);
        m.put("float64", float64);
        m.put("evaluations", evaluations());
        return m;
    }
}
