package org.get4j.diffusion;

/**
 * EDM's time steps (Karras et al. 2022, eq. 5): for i = 0..N-1
 *
 * <pre>  t_i = (sigma_max^(1/rho) + i / (N - 1) (sigma_min^(1/rho) - sigma_max^(1/rho)))^rho,   t_N = 0.</pre>
 */
public final class KarrasSchedule {
    private KarrasSchedule() {}

    public static double[] sigmas(int steps, double sigmaMin, double sigmaMax, double rho) {
        if (steps < 1) {
            throw new IllegalArgumentException("need at least 1 step, got " + steps);
        }
        if (!(sigmaMin > 0 && sigmaMax > sigmaMin && rho > 0)) {
            throw new IllegalArgumentException("need 0 < sigma_min < sigma_max and rho > 0");
        }
        double[] t = new double[steps + 1];
        double a = Math.pow(sigmaMax, 1 / rho);
        double b = Math.pow(sigmaMin, 1 / rho);
        for (int i = 0; i < steps; i++) {
            t[i] = steps == 1 ? sigmaMax : Math.pow(a + (double) i / (steps - 1) * (b - a), rho);
        }
        t[steps] = 0;
        return t;
    }
}
