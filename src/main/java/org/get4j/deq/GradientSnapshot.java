package org.get4j.deq;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.List;
import org.get4j.runtime.Torch;

/**
 * The accumulated gradients of a set of parameters, saved so they can be put back. DJL has no
 * {@code torch.autograd.grad}: every vector-Jacobian product we take with {@code backward} also adds into the
 * parameters' gradients. Code that takes such products (the implicit backward solve, the Jacobian penalty, power
 * iteration) snapshots the gradients first and restores them afterwards, so only the intended terms remain.
 */
final class GradientSnapshot implements AutoCloseable {
    private final List<NDArray> parameters;
    private final List<NDArray> saved = new ArrayList<>();

    private GradientSnapshot(List<NDArray> parameters) {
        this.parameters = parameters;
        try (NDScope scope = new NDScope()) {
            for (NDArray p : parameters) {
                NDArray copy = hasGradient(p) ? p.getGradient().duplicate() : null;
                if (copy != null) {
                    NDScope.unregister(copy);
                }
                saved.add(copy);
            }
        }
    }

    static GradientSnapshot take(List<NDArray> parameters) {
        return new GradientSnapshot(parameters);
    }

    /** Puts every gradient back to its saved value (zero where there was none). */
    void restore() {
        try (NDScope scope = new NDScope()) {
            for (int i = 0; i < parameters.size(); i++) {
                NDArray p = parameters.get(i);
                if (!hasGradient(p)) {
                    continue;
                }
                NDArray grad = p.getGradient();
                Torch.zeroGrad(p);
                if (saved.get(i) != null) {
                    grad.addi(saved.get(i));
                }
            }
        }
    }

    private static boolean hasGradient(NDArray p) {
        if (!p.hasGradient()) {
            return false;
        }
        try {
            p.getGradient().close();
            return true;
        } catch (IllegalStateException e) {
            return false; // requires grad, but no backward has reached it yet
        }
    }

    @Override
    public void close() {
        saved.forEach(a -> {
            if (a != null) {
                a.close();
            }
        });
    }
}
