package org.get4j.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.get4j.InvalidValueException;
import org.get4j.deq.SolverConfig;
import org.get4j.model.Supervision;
import org.get4j.optim.AdamW;

/**
 * Everything that defines a distillation run besides the model and the data. Defaults are the reference's
 * recipe (AdamW lr 1e-4, no weight decay, no warm-up, EMA 0.9999, 6 unrolled states with weights 0.8^(6-k), L1),
 * except the step count and batch, which the user sets.
 *
 * @param gradient PHANTOM (k unrolled steps, deep supervision) or IMPLICIT (solve, implicit differentiation;
 *     only the equilibrium is supervised)
 * @param jacobianWeight weight of the Jacobian penalty ||J||_F^2 / dim at the final state (0: off)
 */
public record TrainConfig(int steps, int batch, double lr, int warmup, double weightDecay, double emaDecay,
        boolean emaWarmup, int unroll, int freeIterations, int supervised, double gamma,
        DistillationStep.Distance distance, Gradient gradient,
        SolverConfig forwardSolver, SolverConfig backwardSolver, double jacobianWeight, int checkpointEvery,
        int logEvery, long seed) {

    /** The reference's batch (GET.md: 128 pairs per step); the command line's default. */
    public static final int REFERENCE_BATCH = 128;

    /** How gradients reach the equilibrium blocks. */
    public enum Gradient { PHANTOM, IMPLICIT }

    public TrainConfig {
        check(steps >= 1, "steps", steps, "at least 1");
        check(batch >= 1, "batch", batch, "at least 1");
        check(lr > 0 && Double.isFinite(lr), "lr", lr, "a finite number > 0");
        check(warmup >= 0, "warmup", warmup, ">= 0");
        check(weightDecay >= 0 && Double.isFinite(weightDecay), "weight_decay", weightDecay, "a finite number >= 0");
        check(emaDecay > 0 && emaDecay < 1, "ema_decay", emaDecay, "in (0, 1)");
        check(unroll >= 1, "unroll", unroll, "at least 1");
        check(freeIterations >= 0, "free_iterations", freeIterations, ">= 0");
        check(supervised >= 0 && supervised <= unroll, "supervised", supervised, "in 0.." + unroll + " (0: all)");
        if (supervised == unroll) {
            supervised = 0; // "all": one recording of the same recipe, so a resume does not see a change
        }
        check(gradient != Gradient.IMPLICIT || (freeIterations == 0 && supervised == 0), "free_iterations",
                freeIterations + " (supervised " + supervised + ")", "0 with the implicit gradient, which has no "
                + "unrolled states");
        check(gamma > 0 && gamma <= 1, "gamma", gamma, "in (0, 1]");
        check(distance != null, "distance", distance, "l1 or l2");
        check(gradient != null, "gradient", gradient, "phantom or implicit");
        check(jacobianWeight >= 0 && Double.isFinite(jacobianWeight), "jacobian_weight", jacobianWeight,
                "a finite number >= 0");
        check(checkpointEvery >= 1, "checkpoint_every", checkpointEvery, "at least 1");
        check(logEvery >= 1, "log_every", logEvery, "at least 1");
    }

    private static void check(boolean ok, String key, Object value, String expected) {
        InvalidValueException.require(ok, "training config", key, value, expected);
    }

    /** Which states the loss supervises and how gradients reach the weights (see {@link Supervision}). */
    public Supervision supervision() {
        return gradient == Gradient.PHANTOM
                ? Supervision.phantom(freeIterations, unroll, supervised == 0 ? unroll : supervised)
                : Supervision.implicit(forwardSolver, backwardSolver);
    }

    /** The reference's recipe for the given length and batch. */
    public static TrainConfig reference(int steps, int batch) {
        return new TrainConfig(steps, batch, 1e-4, 0, 0, 0.9999, false, SolverConfig.REFERENCE_ITERATIONS, 0, 0, 0.8,
                DistillationStep.Distance.L1, Gradient.PHANTOM, SolverConfig.builder().maxIter(30).tol(1e-3).build(),
                SolverConfig.builder().maxIter(30).tol(1e-4).build(), 0, 1000, 50, 0);
    }

    /**
     * The reference objective adapted to short CPU runs: the given learning rate after a linear warm-up of
     * min(50, steps / 10) steps, EMA 0.999 with warm-up (0.9999 would still be the initial weights after a few
     * thousand steps), a checkpoint every quarter, about 50 log rows.
     */
    public static TrainConfig shortRun(int steps, int batch, double lr) {
        TrainConfig r = reference(steps, batch);
        return new TrainConfig(steps, batch, lr, Math.min(50, steps / 10), 0, 0.999, true, r.unroll(), 0, 0, r.gamma(),
                r.distance(), r.gradient(), r.forwardSolver(), r.backwardSolver(), 0, Math.max(1, steps / 4),
                Math.max(1, steps / 50), 0);
    }

    /** The same run with another distance (L1, the reference's, or L2). */
    public TrainConfig withDistance(DistillationStep.Distance d) {
        return toBuilder().distance(d).build();
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("steps", steps);
        m.put("batch", batch);
        m.put("lr", lr);
        m.put("warmup", warmup);
        m.put("weight_decay", weightDecay);
        m.put("ema_decay", emaDecay);
        m.put("ema_warmup", emaWarmup);
        m.put("unroll", unroll);
        if (freeIterations != 0 || supervised != 0) { // recorded when set, so runs from before these settings resume
            m.put("free_iterations", freeIterations);
            m.put("supervised", supervised);
        }
        m.put("gamma", gamma);
        m.put("distance", distance.name());
        m.put("gradient", gradient.name());
        m.put("forward_solver", forwardSolver.toMap());
        m.put("backward_solver", backwardSolver.toMap());
        m.put("jacobian_weight", jacobianWeight);
        m.put("checkpoint_every", checkpointEvery);
        m.put("log_every", logEvery);
        m.put("seed", seed);
        return m;
    }

    /** The learning rate at a step: linear warm-up, then constant. */
    public double lrAt(long step) {
        return warmup == 0 ? lr : lr * Math.min(1.0, (step + 1.0) / warmup);
    }

    /** A builder holding this config's values: change what differs by name, e.g. {@code .lr(5e-4).build()}. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Named setters for a {@link TrainConfig}; start from {@link #reference} and {@link #toBuilder}. */
    public static final class Builder {
        private int steps;
        private int batch;
        private double lr;
        private int warmup;
        private double weightDecay;
        private double emaDecay;
        private boolean emaWarmup;
        private int unroll;
        private int freeIterations;
        private int supervised;
        private double gamma;
        private DistillationStep.Distance distance;
        private Gradient gradient;
        private SolverConfig forwardSolver;
        private SolverConfig backwardSolver;
        private double jacobianWeight;
        private int checkpointEvery;
        private int logEvery;
        private long seed;

        private Builder(TrainConfig c) {
            steps = c.steps;
            batch = c.batch;
            lr = c.lr;
            warmup = c.warmup;
            weightDecay = c.weightDecay;
            emaDecay = c.emaDecay;
            emaWarmup = c.emaWarmup;
            unroll = c.unroll;
            freeIterations = c.freeIterations;
            supervised = c.supervised;
            gamma = c.gamma;
            distance = c.distance;
            gradient = c.gradient;
            forwardSolver = c.forwardSolver;
            backwardSolver = c.backwardSolver;
            jacobianWeight = c.jacobianWeight;
            checkpointEvery = c.checkpointEvery;
            logEvery = c.logEvery;
            seed = c.seed;
        }

        public Builder steps(int v) { steps = v; return this; }
        public Builder batch(int v) { batch = v; return this; }
        public Builder lr(double v) { lr = v; return this; }
        public Builder warmup(int v) { warmup = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder emaDecay(double v) { emaDecay = v; return this; }
        public Builder emaWarmup(boolean v) { emaWarmup = v; return this; }
        public Builder unroll(int v) { unroll = v; return this; }
        /** Iterations of f before the unrolled ones, without a graph (phantom gradient through the last unroll). */
        public Builder freeIterations(int v) { freeIterations = v; return this; }
        /** How many of the last unrolled states the loss supervises; 0: all. */
        public Builder supervised(int v) { supervised = v; return this; }
        public Builder gamma(double v) { gamma = v; return this; }
        public Builder distance(DistillationStep.Distance v) { distance = v; return this; }
        public Builder gradient(Gradient v) { gradient = v; return this; }
        public Builder forwardSolver(SolverConfig v) { forwardSolver = v; return this; }
        public Builder backwardSolver(SolverConfig v) { backwardSolver = v; return this; }
        public Builder jacobianWeight(double v) { jacobianWeight = v; return this; }
        public Builder checkpointEvery(int v) { checkpointEvery = v; return this; }
        public Builder logEvery(int v) { logEvery = v; return this; }
        public Builder seed(long v) { seed = v; return this; }

        public TrainConfig build() {
            return new TrainConfig(steps, batch, lr, warmup, weightDecay, emaDecay, emaWarmup, unroll, freeIterations,
                    supervised, gamma, distance, gradient, forwardSolver, backwardSolver, jacobianWeight, checkpointEvery, logEvery, seed);
        }
    }
}
