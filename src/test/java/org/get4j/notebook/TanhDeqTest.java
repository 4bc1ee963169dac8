package org.get4j.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;

class TanhDeqTest {
    @Test
    void implicitMatchesFiniteDifferencesAndLongPhantomUnrollsConvergeToIt() {
        try (NDManager m = TorchRuntime.newManager(); TanhDeq deq = TanhDeq.random(m, 6, 2, 0.5, 3)) {
            double[] implicit = deq.implicitGradient();
            for (int i : new int[] {0, 7, 20, 35}) {
                double fd = deq.finiteDifference(i, 1e-5);
                assertEquals(fd, implicit[i], 1e-6 * Math.max(1, Math.abs(fd)), "W[" + i + "]");
            }
            // k phantom steps truncate the Neumann series of (I - J)^{-1}: with tau 1 the error shrinks like rho^k.
            double[] longUnroll = deq.phantomGradient(60, 1.0);
            double[] oneStep = deq.phantomGradient(1, 1.0);
            double errLong = 0;
            double errOne = 0;
            for (int i = 0; i < implicit.length; i++) {
                errLong = Math.max(errLong, Math.abs(longUnroll[i] - implicit[i]));
                errOne = Math.max(errOne, Math.abs(oneStep[i] - implicit[i]));
            }
            assertTrue(errLong < 1e-10, "60-step phantom error " + errLong);
            assertTrue(errOne > 1e-3, "1-step phantom should differ visibly, error " + errOne);
        }
    }

    @Test
    void spectralRadiusOfTheJacobianIsBoundedByRho() {
        try (NDManager m = TorchRuntime.newManager(); TanhDeq deq = TanhDeq.random(m, 8, 3, 0.9, 1)) {
            // J = diag(1 - f^2) W: its radius is at most rho and positive
            for (double r : deq.jacobianSpectralRadius(100)) {
                assertTrue(r > 0 && r <= 0.9 + 1e-9, "radius " + r);
            }
        }
    }
}
