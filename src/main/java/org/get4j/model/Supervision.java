package org.get4j.model;

import java.util.Objects;
import org.get4j.deq.SolverConfig;

/**
 * Which states of a student the distillation loss sees, and how its gradient reaches the weights. For GET either the
 * phantom gradient, or the implicit gradient at the equilibrium z* that {@code forwardSolver} finds, decoded once,
 * with the backward fixed point g = J^T g + dL/dz* solved by {@code backwardSolver}. A ViT has one output either way.
 *
 * <p>The phantom gradient runs n = {@code freeIterations} + {@code unroll} iterations z_k = f(z_{k-1}) from z0: the
 * first {@code freeIterations} without a graph, the last {@code unroll} with one (torchdeq's grad = unroll), and
 * decodes the last {@code supervised} of those states. The reference: 0 free, 6 unrolled, all 6 supervised.
 */
public record Supervision(int unroll, int freeIterations, int supervised, SolverConfig forwardSolver,
        SolverConfig backwardSolver) {
    public Supervision {
        if (unroll < 1) {
            throw new IllegalArgumentException("unroll " + unroll + " must be at least 1");
        }
        if (freeIterations < 0) {
            throw new IllegalArgumentException("free iterations " + freeIterations + " must be at least 0");
        }
        if (supervised < 1 || supervised > unroll) {
            throw new IllegalArgumentException("supervised states " + supervised + " must be in 1.." + unroll);
        }
        if ((forwardSolver == null) != (backwardSolver == null)) {
            throw new IllegalArgumentException("the implicit gradient needs a forward and a backward solver");
        }
    }

    /** Deep supervision of {@code unroll} unrolled states, gradients through the unrolled graph (the reference). */
    public static Supervision phantom(int unroll) {
        return phantom(0, unroll, unroll);
    }

    /** {@code free} iterations without a graph, {@code unroll} with one, the last {@code supervised} decoded. */
    public static Supervision phantom(int free, int unroll, int supervised) {
        return new Supervision(unroll, free, supervised, null, null);
    }

    /** The equilibrium only, gradients by implicit differentiation. */
    public static Supervision implicit(SolverConfig forward, SolverConfig backward) {
        return new Supervision(1, 0, 1, Objects.requireNonNull(forward), Objects.requireNonNull(backward));
    }

    public boolean isImplicit() {
        return forwardSolver != null;
    }

    /** All iterations of f in one training forward (phantom): free and unrolled. */
    public int iterations() {
        return freeIterations + unroll;
    }
}
