package org.get4j.cli;

import org.get4j.deq.SolverConfig;
import org.get4j.deq.SolverKind;
import org.get4j.model.Checkpoints;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** How a trained student samples: which weights, and the solver chosen at inference time. */
final class InferenceOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--weights", defaultValue = "ema", paramLabel = "ema|model",
            description = "Which weights of the checkpoint (default: ${DEFAULT-VALUE}).")
    String weights;
    @Option(names = "--iters", defaultValue = "" + SolverConfig.REFERENCE_ITERATIONS,
            description = "Solver iterations for GET (default: ${DEFAULT-VALUE}).")
    int iters;
    @Option(names = "--solver", defaultValue = "fixed_point",
            description = "fixed_point, anderson or broyden (default: ${DEFAULT-VALUE}).")
    String solver;
    @Option(names = "--tol", defaultValue = "1e-3",
            description = "Absolute residual tolerance, with --pick lowest (default: ${DEFAULT-VALUE}).")
    double tol;
    @Option(names = "--pick", defaultValue = "final", paramLabel = "final|lowest",
            description = "Return the last iterate (all --iters run: what unrolled training supervises) or each "
                    + "sample's lowest-residual one (the reference; it stops at --tol). They agree once the map "
                    + "contracts; before, lowest returns the first iterate (default: ${DEFAULT-VALUE}).")
    String pick;

    SolverConfig solver() {
        Flags.atLeast(spec, "--iters", iters, 1);
        boolean last = switch (pick.strip().toLowerCase()) {
            case "final" -> true;
            case "lowest" -> false;
            default -> throw new ParameterException(spec.commandLine(), "--pick must be final or lowest, got '" + pick + "'");
        };
        try {
            SolverConfig.Builder b = last ? SolverConfig.unrolled(iters).toBuilder()
                    : SolverConfig.builder().maxIter(iters).tol(tol);
            return b.solver(SolverKind.parse(solver)).build();
        } catch (RuntimeException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    Checkpoints.Weights weights() {
        try {
            return Checkpoints.Weights.valueOf(weights.strip().toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--weights must be ema or model, got '" + weights + "'");
        }
    }
}
