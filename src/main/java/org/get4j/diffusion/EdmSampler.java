package org.get4j.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import org.get4j.runtime.Torch;

/**
 * EDM's sampler (Karras et al. 2022, Algorithm 2): the probability-flow ODE dx/dt = (x - D(x; t)) / t from
 * t_0 = sigma_max to t_N = 0 with Heun's method and a final Euler step. The noise input is unit-variance; it is
 * scaled by sigma_max here. With S_churn > 0, each step first adds noise to climb from t_i to t_hat = t_i (1 + gamma).
 */
public final class EdmSampler {
    private final SamplerConfig config;
    private final double[] t;

    public EdmSampler(SamplerConfig config) {
        this.config = config;
        this.t = KarrasSchedule.sigmas(config.steps(), config.sigmaMin(), config.sigmaMax(), config.rho());
    }

    public SamplerConfig config() {
        return config;
    }

    /** The time steps t_0 .. t_N. */
    public double[] sigmas() {
        return t.clone();
    }

    /** Images from unit-variance noise (B, C, H, W); labels (B,) or null. Churn noise, if any, comes from rng. */
    public NDArray sample(Denoiser teacher, NDArray noise, NDArray labels, LongFunction<NDArray> churnNoise) {
        return run(teacher, noise, labels, churnNoise, null);
    }

    public NDArray sample(Denoiser teacher, NDArray noise, NDArray labels) {
        return run(teacher, noise, labels, null, null);
    }

    /** Like {@link #sample} but also returns x at every t_i (N + 1 states, the last the image), for pictures. */
    public List<NDArray> trajectory(Denoiser teacher, NDArray noise, NDArray labels) {
        List<NDArray> states = new ArrayList<>();
        NDArray last = run(teacher, noise, labels, null, states);
        states.add(last);
        return states;
    }

    private NDArray run(Denoiser teacher, NDArray noise, NDArray labels, LongFunction<NDArray> churnNoise,
            List<NDArray> record) {
        DataType stateType = config.float64() ? DataType.FLOAT64 : DataType.FLOAT32;
        NDManager manager = noise.getManager();
        long batch = noise.getShape().get(0);
        try (Torch.GradMode noGrad = Torch.noGrad()) {
            NDArray x = noise.toType(stateType, false).mul(t[0]); // never in place: toType may return its input
            for (int i = 0; i < config.steps(); i++) {
                NDArray next;
                try (NDScope scope = new NDScope()) {
                    if (record != null) {
                        NDArray kept = x.duplicate();
                        NDScope.unregister(kept);
                        record.add(kept);
                    }
                    double ti = t[i];
                    double tNext = t[i + 1];
                    double gamma = config.churn() > 0 && ti >= config.sChurnMin() && ti <= config.sChurnMax()
                            ? Math.min(config.churn() / config.steps(), Math.sqrt(2) - 1) : 0;
                    double tHat = ti + gamma * ti;
                    NDArray xHat = x;
                    if (gamma > 0) {
                        if (churnNoise == null) {
                            throw new IllegalStateException("churn needs a noise source");
                        }
                        NDArray eps = churnNoise.apply(i).toType(stateType, false);
                        xHat = x.add(eps.mul(Math.sqrt(tHat * tHat - ti * ti) * config.sNoise()));
                    }
                    NDArray d = slope(teacher, xHat, tHat, labels, batch, manager, stateType);
                    next = xHat.add(d.mul(tNext - tHat));
                    if (config.heun() && i < config.steps() - 1) {
                        NDArray dNext = slope(teacher, next, tNext, labels, batch, manager, stateType);
                        next = xHat.add(d.add(dNext).muli(0.5 * (tNext - tHat)));
                    }
                    NDScope.unregister(next);
                }
                x.close();
                x = next;
            }
            return x;
        }
    }

    /** (x - D(x; t)) / t, the ODE's slope. */
    private static NDArray slope(Denoiser teacher, NDArray x, double t, NDArray labels, long batch, NDManager manager,
            DataType stateType) {
        NDArray sigma = manager.create(filled(batch, t)).toType(stateType, false);
        NDArray denoised = teacher.denoise(x, sigma, labels).toType(stateType, false);
        return x.sub(denoised).divi(t);
    }

    private static double[] filled(long n, double v) {
        double[] a = new double[(int) n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
