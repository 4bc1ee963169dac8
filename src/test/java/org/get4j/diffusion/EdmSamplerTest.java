package org.get4j.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.get4j.data.ImageSet;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;

class EdmSamplerTest {
    private static final double MU = 0.3;
    private static final double S2 = 0.25;

    /** A 1-D, 1-pixel single Gaussian N(0.3, 0.25): no principal directions, all variance isotropic. */
    private static GaussianMixtureTeacher gaussian1d(NDManager m) {
        return GaussianMixtureTeacher.of(m, 1, 1, 0, new double[] {MU}, new double[0], new double[0],
                new double[] {S2}, new double[] {1});
    }

    /**
     * The exact probability-flow map: (x - mu) / sqrt(s^2 + sigma^2) is constant along the ODE; the sampler's last
     * step is an Euler step to 0 from sigma_min, which returns D(x; sigma_min).
     */
    private static double exact(double noise, double sigmaMin, double sigmaMax) {
        double start = noise * sigmaMax;
        double atMin = MU + (start - MU) * Math.sqrt(S2 + sigmaMin * sigmaMin) / Math.sqrt(S2 + sigmaMax * sigmaMax);
        double s2 = sigmaMin * sigmaMin;
        return atMin - s2 * (atMin - MU) / (S2 + s2);
    }

    @Test
    void scheduleIsKarras() {
        double[] t = KarrasSchedule.sigmas(18, 0.002, 80, 7);
        assertEquals(19, t.length);
        assertEquals(80, t[0], 1e-12);
        assertEquals(0.002, t[17], 1e-15);
        assertEquals(0, t[18]);
        for (int i = 0; i < 18; i++) {
            assertTrue(t[i] > t[i + 1]);
        }
        assertEquals(35, SamplerConfig.reference().evaluations());
    }

    @Test
    void heunMatchesTheClosedFormMapAndConvergesAtSecondOrder() {
        double[] noise = {-1.7, -0.2, 0.4, 2.1};
        try (NDManager m = TorchRuntime.newManager(); GaussianMixtureTeacher g = gaussian1d(m)) {
            NDArray e = m.create(noise, new Shape(4, 1, 1, 1));
            double[] errors = new double[4];
            int[] steps = {16, 32, 64, 128};
            for (int s = 0; s < steps.length; s++) {
                EdmSampler sampler = new EdmSampler(SamplerConfig.reference().withSteps(steps[s]));
                double[] x = sampler.sample(g, e, null).toDoubleArray();
                double err = 0;
                for (int i = 0; i < noise.length; i++) {
                    err = Math.max(err, Math.abs(x[i] - exact(noise[i], 0.002, 80)));
                }
                errors[s] = err;
            }
            assertTrue(errors[2] < 1e-2, "64 steps are accurate: " + errors[2]);
            assertArrayEquals(noise, e.toDoubleArray(), 0, "the noise input is not modified");
            for (int s = 1; s < steps.length; s++) {
                double order = Math.log(errors[s - 1] / errors[s]) / Math.log(2);
                assertEquals(2.0, order, 0.35, "observed order between " + steps[s - 1] + " and " + steps[s]
                        + " steps; errors " + java.util.Arrays.toString(errors));
            }
        }
    }

    @Test
    void eulerIsFirstOrderAndTrajectoriesRecordEveryStep() {
        try (NDManager m = TorchRuntime.newManager(); GaussianMixtureTeacher g = gaussian1d(m)) {
            NDArray e = m.create(new double[] {1.0}, new Shape(1, 1, 1, 1));
            double coarse = Math.abs(new EdmSampler(SamplerConfig.reference().withSteps(32).withEuler())
                    .sample(g, e, null).getDouble() - exact(1.0, 0.002, 80));
            double fine = Math.abs(new EdmSampler(SamplerConfig.reference().withSteps(64).withEuler())
                    .sample(g, e, null).getDouble() - exact(1.0, 0.002, 80));
            assertEquals(1.0, Math.log(coarse / fine) / Math.log(2), 0.3);
            List<NDArray> states = new EdmSampler(SamplerConfig.reference()).trajectory(g, e, null);
            assertEquals(19, states.size());
            assertEquals(80.0, states.get(0).getDouble(), 1e-12);
        }
    }

    @Test
    void mixtureDenoiserIsTheExactPosteriorMean() {
        // Two 2-D components with one principal direction each; compare with a dense computation.
        double[] means = {1, 0, -1, 0.5};
        double r = Math.sqrt(0.5);
        double[] bases = {r, r, 1, 0}; // (K=2, D=2, r=1): u_0 = (r, r), u_1 = (1, 0)
        double[] lambdas = {2.0, 0.5};
        double[] iso = {0.1, 0.3};
        double[] weights = {0.3, 0.7};
        double[] x = {0.4, -0.8};
        double sigma = 0.9;
        double[] expected = new double[2];
        double[] logp = new double[2];
        double[][] post = new double[2][2];
        for (int k = 0; k < 2; k++) {
            double[] u = {bases[2 * k], bases[2 * k + 1]};
            double c = iso[k] + sigma * sigma;
            double[][] cov = {{lambdas[k] * u[0] * u[0] + c, lambdas[k] * u[0] * u[1]},
                {lambdas[k] * u[1] * u[0], lambdas[k] * u[1] * u[1] + c}};
            double det = cov[0][0] * cov[1][1] - cov[0][1] * cov[1][0];
            double[][] inv = {{cov[1][1] / det, -cov[0][1] / det}, {-cov[1][0] / det, cov[0][0] / det}};
            double[] diff = {x[0] - means[2 * k], x[1] - means[2 * k + 1]};
            double[] id = {inv[0][0] * diff[0] + inv[0][1] * diff[1], inv[1][0] * diff[0] + inv[1][1] * diff[1]};
            logp[k] = Math.log(weights[k]) - 0.5 * (diff[0] * id[0] + diff[1] * id[1] + Math.log(det));
            post[k] = new double[] {x[0] - sigma * sigma * id[0], x[1] - sigma * sigma * id[1]};
        }
        double z = Math.log(Math.exp(logp[0]) + Math.exp(logp[1]));
        for (int k = 0; k < 2; k++) {
            double w = Math.exp(logp[k] - z);
            expected[0] += w * post[k][0];
            expected[1] += w * post[k][1];
        }
        try (NDManager m = TorchRuntime.newManager();
                GaussianMixtureTeacher g = GaussianMixtureTeacher.of(m, 2, 1, 1, means, bases, lambdas, iso, weights)) {
            NDArray xs = m.create(x, new Shape(1, 2, 1, 1));
            NDArray sig = m.create(new double[] {sigma});
            assertArrayEquals(expected, g.denoise(xs, sig, null).toDoubleArray(), 1e-12);
            // with a label, only that component's posterior mean
            assertArrayEquals(post[1], g.denoise(xs, sig, m.create(new long[] {1})).toDoubleArray(), 1e-12);
        }
    }

    @Test
    void fittingRecoversClassMeansAndFrequencies() {
        // 4 images of 2x2 pixels, two classes
        byte[] px = {0, 0, 0, 0, (byte) 200, 0, 0, 0, (byte) 255, (byte) 255, 0, 0, (byte) 255, (byte) 255, 0, 100};
        ImageSet set = new ImageSet("tiny", px, new int[] {0, 0, 1, 1}, 1, 2, 2);
        try (NDManager m = TorchRuntime.newManager(); GaussianMixtureTeacher g = GaussianMixtureTeacher.fit(m, set, 2, 1)) {
            // at huge sigma the conditional denoiser returns the class mean
            NDArray big = m.create(new double[] {1e6});
            double[] mean0 = g.denoise(m.zeros(new Shape(1, 1, 2, 2)).toType(ai.djl.ndarray.types.DataType.FLOAT64, false),
                    big, m.create(new long[] {0})).toDoubleArray();
            assertEquals((200 / 127.5 - 1 - 1) / 2, mean0[0], 1e-6);
            assertEquals(-1, mean0[1], 1e-6);
            assertTrue(g.identity().contains("classes=2"));
        }
    }

    @Test
    void churnAddsSeededNoiseAndOnlyWhereItIsAsked() {
        try (NDManager m = TorchRuntime.newManager(); GaussianMixtureTeacher g = gaussian1d(m)) {
            NDArray e = m.create(new double[] {0.7, -0.3}, new Shape(2, 1, 1, 1));
            EdmSampler plain = new EdmSampler(SamplerConfig.reference());
            EdmSampler churn = new EdmSampler(SamplerConfig.reference().withChurn(40));
            java.util.function.LongFunction<NDArray> noise = i -> {
                m.getEngine().setRandomSeed((int) (100 + i));
                return m.randomNormal(new Shape(2, 1, 1, 1), ai.djl.ndarray.types.DataType.FLOAT64);
            };
            double[] a = churn.sample(g, e, null, noise).toDoubleArray();
            double[] b = churn.sample(g, e, null, noise).toDoubleArray();
            assertArrayEquals(a, b, 0, "the same churn noise gives the same images");
            double[] deterministic = plain.sample(g, e, null).toDoubleArray();
            assertTrue(Math.abs(a[0] - deterministic[0]) > 1e-6, "churn changes the trajectory");
            // S_churn = 0 never asks for noise
            assertArrayEquals(deterministic, plain.sample(g, e, null, i -> {
                throw new AssertionError("no noise needed");
            }).toDoubleArray(), 0);
        }
    }
}
