package org.get4j.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import java.util.function.UnaryOperator;
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
        try (Torch.GradMode noGrad = Torch.noGrad()) {
            NDArray x = noise.toType(stateType(), false).mul(t[0]); // x_0 ~ N(0, t_0^2 I); never in place
            for (int i = 0; i < config.steps(); i++) {
                int step = i;
                x = scoped(x, record, xi -> step(teacher, xi, labels, churnNoise, step));
            }
            return x;
        }
    }

    /** Algorithm 2's loop body: x_i at t_i to x_{i+1} at t_{i+1}. */
    private NDArray step(Denoiser teacher, NDArray x, NDArray labels, LongFunction<NDArray> churnNoise, int i) {
        double ti = t[i];
        double tNext = t[i + 1];
        // Increase noise temporarily: t_hat = t_i + gamma_i t_i, x_hat = x_i + sqrt(t_hat^2 - t_i^2) S_noise eps.
        double gamma = config.churn() > 0 && ti >= config.sChurnMin() && ti <= config.sChurnMax()
                ? Math.min(config.churn() / config.steps(), Math.sqrt(2) - 1) : 0;
        double tHat = ti + gamma * ti;
        NDArray xHat = gamma > 0 ? x.add(churn(churnNoise, i).mul(Math.sqrt(tHat * tHat - ti * ti) * config.sNoise()))
                : x;
        // Euler step from t_hat to t_{i+1}.
        NDArray d = slope(teacher, xHat, tHat, labels);
        NDArray next = xHat.add(d.mul(tNext - tHat));
        // Apply the second-order correction (Heun), except on the last step, to t_N = 0.
        if (config.heun() && i < config.steps() - 1) {
            NDArray dNext = slope(teacher, next, tNext, labels);
            next = xHat.add(d.add(dNext).muli(0.5 * (tNext - tHat)));
        }
        return next;
    }

    /** (x - D(x; t)) / t, the ODE's slope. */
    private NDArray slope(Denoiser teacher, NDArray x, double t, NDArray labels) {
        NDArray sigma = x.getManager().create(filled(x.getShape().get(0), t)).toType(stateType(), false);
        NDArray denoised = teacher.denoise(x, sigma, labels).toType(stateType(), false);
        return x.sub(denoised).divi(t);
    }

    private NDArray churn(LongFunction<NDArray> churnNoise, int i) {
        if (churnNoise == null) {
            throw new IllegalStateException("churn needs a noise source");
        }
        return churnNoise.apply(i).toType(stateType(), false);
    }

    private DataType stateType() {
        return config.float64() ? DataType.FLOAT64 : DataType.FLOAT32;
    }

    /**
     * Runs one step in a memory scope of its own and keeps only its result (and, when recording a trajectory, a
     * copy of its input): the bookkeeping that keeps {@link #step} the algorithm.
     */
    private static NDArray scoped(NDArray x, List<NDArray> record, UnaryOperator<NDArray> step) {
        NDArray next;
        try (NDScope scope = new NDScope()) {
            if (record != null) {
                NDArray kept = x.duplicate();
                NDScope.unregister(kept);
                record.add(kept);
            }
            next = step.apply(x);
            NDScope.unregister(next);
        }
        x.close();
        return next;
    }

    private static double[] filled(long n, double v) {
        double[] a = new double[(int) n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
