package org.get4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.get4j.model.ModelConfig;
import org.get4j.runtime.AttentionKernel;
import org.get4j.runtime.Torch;

/**
 * Where one transformer block's time goes, operation by operation, forward plus backward, at a model's shapes (the
 * equilibrium block of a GET, the block of a ViT). Each operation runs in isolation on inputs that require gradients,
 * with the sum of its output as the loss, so its time includes its backward. Matrix products also report GFLOP/s
 * (forward 2MNK, backward twice that) and the share of the measured fp32 GEMM peak they reach; the other operations are
 * memory-bound and report time only. Each time also holds the sum of the output, its backward and the accumulation
 * into the inputs' gradients: small beside a product, not beside softmax or GELU, whose times read high. CPU only:
 * on a GPU nothing waits for the kernels. With the block's share of a training step from {@link StepBreakdown}, this says
 * which operations keep the step from the GEMM peak.
 *
 * <pre>
 *   a = LN1(x)                                   LayerNorm
 *   t = a Wqkv + b          (B N, D) x (D, 3D)   QKV projection; + b: the injection (GET only)
 *   q, k, v = split heads   (3, B, h, N, D/h)    a view; the products below may copy it
 *   s = q k^T / sqrt(D/h)   B h x (N, d)(d, N)   scores
 *   p = softmax(s)
 *   o = p v, merge heads    B h x (N, N)(N, d)   weighted sum; merging the heads is a copy
 *   x = x + o Wproj         (B N, D) x (D, D)    output projection
 *   x = x + GELU(LN2(x) W1) W2                   (B N, D) x (D, rD), GELU, (B N, rD) x (rD, D)
 * </pre>
 */
public final class BlockOps {
    /** One operation: forward + backward milliseconds, and its forward+backward GFLOP (0 when not a product). */
    public record Op(String name, double millis, double gflop) {
        public double gflops() {
            return gflop / (millis / 1e3);
        }

        /** Counted in the block's total; a name in parentheses is a variant shown beside the operations. */
        public boolean counted() {
            return !name.startsWith("(");
        }

        /** One of attention's two small batched products (the scores, the weighted sum). */
        boolean attentionProduct() {
            return name.equals(SCORES) || name.equals(WEIGHTED_SUM);
        }
    }

    static final String SCORES = "split heads + scores q k^T";
    static final String WEIGHTED_SUM = "weighted sum p v + merge heads";

    /** The operations of one block application, with the GEMM peak they are measured against. */
    public record Result(String model, int batch, List<Op> ops, double peakGflops) {
        public double totalMillis() {
            return ops.stream().mapToDouble(Op::millis).sum();
        }

        public double totalGflop() {
            return ops.stream().mapToDouble(Op::gflop).sum();
        }

        /**
         * The share of the GEMM peak the block would reach if its memory-bound operations (LayerNorm, softmax, GELU,
         * adds) took no time: its FLOPs over the time of its products alone. An upper bound on its MFU.
         */
        public double ceilingWithoutMemoryBound() {
            List<Op> counted = counted();
            double flop = counted.stream().mapToDouble(Op::gflop).sum();
            double products = counted.stream().filter(o -> o.gflop() > 0).mapToDouble(Op::millis).sum();
            return flop / (products / 1e3) / peakGflops;
        }

        /**
         * The share of the GEMM peak the block's large products (the projections and the MLP, whose inner dimension is
         * the width or more) reach together: the block's MFU if attention's small batched products ran at their rate
         * and everything else were free. A target above it needs faster products at these shapes, not less overhead.
         */
        public double ceilingAtLargeProductRate() {
            List<Op> large = counted().stream().filter(o -> o.gflop() > 0 && !o.attentionProduct()).toList();
            return large.stream().mapToDouble(Op::gflop).sum()
                    / (large.stream().mapToDouble(Op::millis).sum() / 1e3) / peakGflops;
        }

        /** The operations counted in the block, without the variants shown beside them. */
        public List<Op> counted() {
            return ops.stream().filter(Op::counted).toList();
        }
    }

    private BlockOps() {}

    /** Profiles the block the model applies most (GET: an equilibrium block with the injection; ViT: its block). */
    public static Result measure(NDManager manager, String name, ModelConfig c, int batch, double peakGflops,
            int warmup, int repeats) {
        boolean get = c.arch() == ModelConfig.Arch.GET;
        long b = batch;
        long n = c.tokens();
        long d = c.width();
        long h = c.heads();
        long hd = d / h;
        long hidden = Math.round(d * (get ? c.deqMlpRatio() : c.mlpRatio()));
        List<Op> ops = new ArrayList<>();
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.randomNormal(new Shape(b, n, d));
            NDArray gamma = m.ones(new Shape(d));
            NDArray beta = m.zeros(new Shape(d));
            NDArray wqkv = m.randomNormal(0, 0.05f, new Shape(3 * d, d), x.getDataType());
            NDArray bqkv = m.zeros(new Shape(3 * d));
            NDArray inj = m.randomNormal(new Shape(b, n, 3 * d));
            NDArray wproj = m.randomNormal(0, 0.05f, new Shape(d, d), x.getDataType());
            NDArray bproj = m.zeros(new Shape(d));
            NDArray w1 = m.randomNormal(0, 0.05f, new Shape(hidden, d), x.getDataType());
            NDArray b1 = m.zeros(new Shape(hidden));
            NDArray w2 = m.randomNormal(0, 0.05f, new Shape(d, hidden), x.getDataType());
            NDArray b2 = m.zeros(new Shape(d));
            NDArray t = m.randomNormal(new Shape(b, n, 3 * d));
            NDArray heads = m.randomNormal(new Shape(b, h, n, hd));
            NDArray scores = m.randomNormal(new Shape(b, h, n, n));
            NDArray hid = m.randomNormal(new Shape(b, n, hidden));
            double gemm = 3 * 2.0 / 1e9; // forward 2MNK, backward 4MNK (both operands need gradients)
            double scale = 1.0 / Math.sqrt(hd);

            ops.add(op(m, "LayerNorm (x2 per block)", 0, warmup, repeats, List.of(x, gamma, beta), a ->
                    ai.djl.nn.norm.LayerNorm.layerNorm(a.get(0), new Shape(d), a.get(1), a.get(2), 1e-6f)
                            .singletonOrThrow(), 2));
            ops.add(op(m, "QKV projection", gemm * b * n * d * 3 * d, warmup, repeats, List.of(x, wqkv, bqkv),
                    a -> Linear.linear(a.get(0), a.get(1), a.get(2)).singletonOrThrow(), 1));
            if (get) {
                ops.add(op(m, "+ injection", 0, warmup, repeats, List.of(t, inj), a -> a.get(0).add(a.get(1)), 1));
            }
            ops.add(op(m, SCORES, gemm * b * h * n * n * hd, warmup, repeats, List.of(t),
                    a -> {
                        NDArray s = a.get(0).reshape(b, n, 3, h, hd).transpose(2, 0, 3, 1, 4);
                        return s.get(0).matMul(s.get(1).transpose(0, 1, 3, 2));
                    }, 1));
            ops.add(op(m, "scores q k^T (contiguous heads)", gemm * b * h * n * n * hd, warmup, repeats,
                    List.of(heads, heads.duplicate()), a -> a.get(0).matMul(a.get(1).transpose(0, 1, 3, 2)), 0));
            ops.add(op(m, "scale + softmax", 0, warmup, repeats, List.of(scores),
                    a -> a.get(0).mul(Torch.constant(a.get(0), scale)).softmax(-1), 1));
            ops.add(op(m, WEIGHTED_SUM, gemm * b * h * n * n * hd, warmup, repeats,
                    List.of(scores, heads), a -> a.get(0).matMul(a.get(1)).transpose(0, 2, 1, 3).reshape(b, n, d), 1));
            // The same core, split to merge, timed as one operation three ways (shown, not counted): the Java path
            // above, the same operations in one TorchScript call, and libtorch's fused kernel (AttentionKernel).
            NDArray scaleTensor = Torch.constant(t, scale);
            double core = 2 * gemm * b * h * n * n * hd; // its two products
            for (AttentionKernel k : AttentionKernel.values()) {
                ops.add(op(m, "attention core: " + k.id() + " kernel", core, warmup, repeats, List.of(t),
                        a -> k.apply(a.get(0), (int) h, scaleTensor), 0));
            }
            ops.add(op(m, "output projection", gemm * b * n * d * d, warmup, repeats, List.of(x, wproj, bproj),
                    a -> Linear.linear(a.get(0), a.get(1), a.get(2)).singletonOrThrow(), 1));
            ops.add(op(m, "MLP fc1", gemm * b * n * d * hidden, warmup, repeats, List.of(x, w1, b1),
                    a -> Linear.linear(a.get(0), a.get(1), a.get(2)).singletonOrThrow(), 1));
            ops.add(op(m, "GELU", 0, warmup, repeats, List.of(hid), a -> Activation.gelu(a.get(0)), 1));
            ops.add(op(m, "MLP fc2", gemm * b * n * hidden * d, warmup, repeats, List.of(hid, w2, b2),
                    a -> Linear.linear(a.get(0), a.get(1), a.get(2)).singletonOrThrow(), 1));
            ops.add(op(m, "residual adds (x2)", 0, warmup, repeats, List.of(x, x.duplicate()),
                    a -> a.get(0).add(a.get(1)), 2));
        }
        return new Result(name, batch, ops, peakGflops);
    }

    /**
     * Times {@code f} forward + backward, {@code times} per block application (0: a variant shown for comparison, not
     * counted in the block's total).
     */
    private static Op op(NDManager m, String name, double gflop, int warmup, int repeats, List<NDArray> inputs,
            Function<NDList, NDArray> f, int times) {
        inputs.forEach(a -> a.setRequiresGradient(true));
        NDList in = new NDList(inputs);
        double ms = Timing.medianMillis(warmup, repeats, k -> {
            try (GradientCollector gc = m.getEngine().newGradientCollector()) {
                NDArray y = f.apply(in);
                gc.backward(y.sum());
            } // (libtorch's CPU operations return when done: nothing to wait for)
        });
        return times == 0 ? new Op("(" + name + ")", ms, gflop) : new Op(name, times * ms, times * gflop);
    }

    public static String markdown(List<Result> results) {
        StringBuilder sb = new StringBuilder();
        for (Result r : results) {
            double total = r.counted().stream().mapToDouble(Op::millis).sum();
            double flop = r.counted().stream().mapToDouble(Op::gflop).sum();
            sb.append(String.format(Locale.ROOT, "%n%s, batch %d: one block, forward + backward, %.1f ms in its "
                    + "operations, %.1f GFLOP/s over them (%.0f%% of the %.1f GFLOP/s GEMM peak). Ceilings: %.0f%% "
                    + "with the memory-bound operations free; %.0f%% with attention's products also at the rate of "
                    + "the large ones%n%n", r.model(), r.batch(), total, flop / (total / 1e3),
                    100 * flop / (total / 1e3) / r.peakGflops(), r.peakGflops(), 100 * r.ceilingWithoutMemoryBound(),
                    100 * r.ceilingAtLargeProductRate()));
            sb.append("| operation | ms | share of block | GFLOP/s | of GEMM peak |\n|---|---|---|---|---|\n");
            for (Op o : r.ops()) {
                boolean counted = o.counted();
                sb.append(String.format(Locale.ROOT, "| %s | %.2f | %s | %s | %s |%n", o.name(), o.millis(),
                        counted ? String.format(Locale.ROOT, "%.0f%%", 100 * o.millis() / total) : "-",
                        o.gflop() > 0 ? String.format(Locale.ROOT, "%.1f", o.gflops()) : "-",
                        o.gflop() > 0 ? String.format(Locale.ROOT, "%.0f%%", 100 * o.gflops() / r.peakGflops()) : "-"));
            }
        }
        return sb.toString();
    }
}
