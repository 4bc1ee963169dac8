package org.get4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.get4j.diffusion.Denoiser;
import org.get4j.diffusion.GuidedTeacher;
import org.get4j.diffusion.Teachers;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** --guidance W --unconditional FILE: classifier-free guidance of a conditional teacher (see GuidedTeacher). */
final class GuidanceOptions {
    @Option(names = "--guidance", paramLabel = "W", description = "Classifier-free guidance of a conditional teacher "
            + "with weight W against --unconditional (two evaluations per step; W = 1 gives the conditional teacher's images at "
            + "twice the cost).") Double weight;
    @Option(names = "--unconditional", paramLabel = "FILE", description = "The unconditional teacher of --guidance "
            + "(e.g. data/teachers/edm-mnist.safetensors, which edm-mnist-conditional started from).") Path unconditional;

    boolean given() {
        return weight != null;
    }

    /** Refuses one flag without the other (call before any work). */
    void check(CommandSpec spec) {
        if ((weight == null) != (unconditional == null)) {
            throw new ParameterException(spec.commandLine(), "--guidance and --unconditional go together");
        }
    }

    /** The teacher, guided when --guidance is given; a usage error names the flag. */
    Denoiser apply(CommandSpec spec, NDManager manager, Denoiser teacher) {
        if (weight == null) {
            return teacher;
        }
        try {
            return new GuidedTeacher(teacher, Teachers.load(manager, unconditional), weight);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--guidance: " + e.getMessage());
        }
    }
}
