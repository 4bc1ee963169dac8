package org.get4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.List;
import org.get4j.Get4jException;
import org.get4j.io.HostTensor;
import org.get4j.runtime.Torch;

/**
 * AdamW exactly as PyTorch's {@code torch.optim.AdamW} (not amsgrad), with its state in plain arrays so a
 * checkpoint can save and restore it:
 *
 * <pre>
 *   p <- p (1 - lr wd)
 *   m <- b1 m + (1 - b1) g          v <- b2 v + (1 - b2) g^2
 *   p <- p - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 */
public final class AdamW {
    private final List<NDArray> parameters;
    private final List<NDArray> m = new ArrayList<>();
    private final List<NDArray> v = new ArrayList<>();
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final double[] lrScale; // per parameter, as PyTorch's parameter groups with their own lr
    private long step;

    public AdamW(List<NDArray> parameters, double beta1, double beta2, double eps, double weightDecay) {
        this.parameters = List.copyOf(parameters);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.lrScale = new double[parameters.size()];
        java.util.Arrays.fill(lrScale, 1.0);
        for (NDArray p : parameters) {
            NDArray zm = p.zerosLike();
            NDArray zv = p.zerosLike();
            NDScope.unregister(zm, zv);
            m.add(zm);
            v.add(zv);
        }
    }

    /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8; weight decay as given (the reference uses 0). */
    public static AdamW withDefaults(List<NDArray> parameters, double weightDecay) {
        return new AdamW(parameters, 0.9, 0.999, 1e-8, weightDecay);
    }

    /**
     * Gives {@code parameter} its own learning rate, {@code factor} times the one passed to {@link #step} (a
     * parameter group of its own in PyTorch's terms; the weight decay scales with it, as there).
     */
    public void scaleLearningRate(NDArray parameter, double factor) {
        if (!(factor > 0 && Double.isFinite(factor))) {
            throw new IllegalArgumentException("learning-rate factor " + factor + ": expected a finite number > 0");
        }
        for (int i = 0; i < parameters.size(); i++) {
            if (parameters.get(i) == parameter) {
                lrScale[i] = factor;
                return;
            }
        }
        throw new IllegalArgumentException("not a parameter of this optimiser: " + parameter.getShape());
    }

    /** One update with learning rate {@code lr} from the parameters' accumulated gradients, then zeroes them. */
    public void step(double lr) {
        step++;
        double bias1 = 1 - Math.pow(beta1, step);
        double bias2 = 1 - Math.pow(beta2, step);
        try (Torch.GradMode noGrad = Torch.noGrad(); NDScope scope = new NDScope()) {
            for (int i = 0; i < parameters.size(); i++) {
                NDArray p = parameters.get(i);
                NDArray g = p.getGradient();
                double lrI = lr * lrScale[i];
                if (weightDecay != 0) {
                    p.muli(1 - lrI * weightDecay);
                }
                m.get(i).muli(beta1).addi(g.mul(1 - beta1));
                v.get(i).muli(beta2).addi(g.square().muli(1 - beta2));
                NDArray denominator = v.get(i).sqrt().divi(Math.sqrt(bias2)).addi(eps);
                p.subi(m.get(i).div(denominator).muli(lrI / bias1));
                Torch.zeroGrad(p);
            }
        }
    }

    public long steps() {
        return step;
    }

    /** First and second moments, in parameter order (for checkpoints). */
    public List<NDArray> firstMoments() {
        return m;
    }

    public List<NDArray> secondMoments() {
        return v;
    }

    /** The moments as named tensors ({@code opt.m.<i>}, {@code opt.v.<i>}), for a checkpoint. */
    public java.util.Map<String, HostTensor> stateTensors() {
        java.util.Map<String, HostTensor> t = new java.util.LinkedHashMap<>();
        for (int i = 0; i < m.size(); i++) {
            t.put("opt.m." + i, HostTensor.of(m.get(i)));
            t.put("opt.v." + i, HostTensor.of(v.get(i)));
        }
        return t;
    }

    /** Restores the moments written by {@link #stateTensors()} and the step count. */
    public void restore(long steps, java.util.Map<String, HostTensor> tensors) {
        List<float[]> first = new ArrayList<>();
        List<float[]> second = new ArrayList<>();
        for (int i = 0; i < m.size(); i++) {
            HostTensor a = tensors.get("opt.m." + i);
            HostTensor b = tensors.get("opt.v." + i);
            if (a == null || b == null) {
                throw new Get4jException("checkpoint lacks optimizer state for parameter " + i);
            }
            first.add(a.toFloatArray());
            second.add(b.toFloatArray());
        }
        restore(steps, first, second);
    }

    /** Restores state saved from {@link #firstMoments()}, {@link #secondMoments()} and {@link #steps()}. */
    public void restore(long steps, List<float[]> first, List<float[]> second) {
        if (first.size() != m.size() || second.size() != v.size()) {
            throw new IllegalArgumentException("optimizer state for " + first.size() + " parameters, model has "
                    + m.size());
        }
        for (int i = 0; i < m.size(); i++) {
            Torch.assign(m.get(i), first.get(i));
            Torch.assign(v.get(i), second.get(i));
        }
        this.step = steps;
    }
}
