package org.get4j.model;

import java.util.Objects;
import org.get4j.deq.SolverConfig;

/**
 * Which states of a student the distillation loss sees, and how its gradient reaches the weights. For GET either the
 * phantom gradient through {@code unroll} states z_k = f(z_{k-1}) from z0, each decoded (the reference: 6, deep
 * supervision), or the implicit gradient at the equilibrium z* that {@code forwardSolver} finds, decoded once, with
 * the backward fixed point g = J^T g + dL/dz* solved by {@code backwardSolver}. A ViT has one output either way.
 */
public record Supervision(int unroll, SolverConfig forwardSolver, SolverConfig backwardSolver) {
    public Supervision {
        if (unroll < 1) {
            throw new IllegalArgumentException("unroll " + unroll + " must be at least 1");
        }
        if ((forwardSolver == null) != (backwardSolver == null)) {
            throw new IllegalArgumentException("the implicit gradient needs a forward and a backward solver");
        }
    }

    /** Deep supervision of {@code unroll} unrolled states, gradients through the unrolled graph. */
    public static Supervision phantom(int unroll) {
        return new Supervision(unroll, null, null);
    }

    /** The equilibrium only, gradients by implicit differentiation. */
    public static Supervision implicit(SolverConfig forward, SolverConfig backward) {
        return new Supervision(1, Objects.requireNonNull(forward), Objects.requireNonNull(backward));
    }

    public boolean isImplicit() {
        return forwardSolver != null;
    }
}
