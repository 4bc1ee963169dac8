package org.get4j.deq;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.List;
import org.get4j.runtime.Torch;

/**
 * The phantom gradient (Geng et al., 2021): from the solver's output z* (detached), take k damped steps
 * z_{i+1} = tau f(z_i) + (1 - tau) z_i with autograd on, and back-propagate through those k steps only.
 * GET trains this way with k = 6, tau = 1 and a random z_0 = z* (no solver iterations), supervising every z_i.
 * Call inside a GradientCollector.
 */
public final class PhantomGradient {
    private PhantomGradient() {}

    /** All k states z_1..z_k, for deep supervision (the fixed-point-correction loss). */
    public static List<NDList> unroll(FixedPointMap f, NDList zStar, int k, double tau) {
        if (k < 1) {
            throw new IllegalArgumentException("phantom gradient needs k >= 1 steps, got " + k);
        }
        if (!(tau > 0 && tau <= 1)) {
            throw new IllegalArgumentException("damping tau must be in (0, 1], got " + tau);
        }
        List<NDList> states = new ArrayList<>(k);
        NDList z = detach(zStar);
        for (int i = 0; i < k; i++) {
            NDList fz = f.apply(z);
            z = tau == 1.0 ? fz : damp(fz, z, tau);
            states.add(z);
        }
        return states;
    }

    /** Only the last state z_k. */
    public static NDList step(FixedPointMap f, NDList zStar, int k, double tau) {
        List<NDList> states = unroll(f, zStar, k, tau);
        return states.get(states.size() - 1);
    }

    private static NDList detach(NDList z) {
        NDList out = new NDList(z.size());
        for (NDArray a : z) {
            out.add(a.stopGradient());
        }
        return out;
    }

    private static NDList damp(NDList fz, NDList z, double tau) {
        NDList out = new NDList(z.size());
        for (int i = 0; i < z.size(); i++) {
            NDArray f = fz.get(i);
            out.add(f.mul(Torch.constant(f, tau)).add(z.get(i).mul(Torch.constant(f, 1 - tau))));
        }
        return out;
    }
}
