package org.get4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.get4j.deq.SolverKind;
import org.get4j.train.TrainConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TrainDefaultsTest {
    private static TrainConfig parse(String... args) {
        TrainCommand command = new TrainCommand();
        new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        return command.trainConfig();
    }

    @Test
    void unsetOptionsAreTheReferenceRecipe() {
        TrainConfig parsed = parse("--pairs", "p", "--out", "o", "--steps", "7", "--model", "GET-Micro");
        assertEquals(TrainConfig.reference(7, 128), parsed, "the CLI restates no default of the recipe");
    }

    @Test
    void theImplicitGradientUsesTheReferenceSolversUnlessAnotherIsNamed() {
        TrainConfig implicit = parse("--pairs", "p", "--out", "o", "--steps", "7", "--gradient", "implicit");
        TrainConfig reference = TrainConfig.reference(7, 128);
        assertEquals(TrainConfig.Gradient.IMPLICIT, implicit.gradient());
        assertEquals(reference.forwardSolver(), implicit.forwardSolver());
        assertEquals(reference.backwardSolver(), implicit.backwardSolver());
        TrainConfig anderson = parse("--pairs", "p", "--out", "o", "--steps", "7", "--solver", "anderson",
                "--lr", "5e-4", "--loss", "l2");
        assertEquals(SolverKind.ANDERSON, anderson.forwardSolver().solver());
        assertEquals(reference.forwardSolver().maxIter(), anderson.forwardSolver().maxIter());
        assertEquals(reference.backwardSolver().tol(), anderson.backwardSolver().tol());
        assertEquals(5e-4, anderson.lr());
    }
}
