package org.get4j.cli;

import java.io.PrintWriter;
import org.get4j.deq.SolverConfig;
import org.get4j.model.ModelConfig;
import org.get4j.model.Presets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code get4j params}: parameter count and inference MACs per image. */
@Command(name = "params", mixinStandardHelpOptions = true,
        description = "Parameter count (including the fixed positional embedding, as the reference counts) "
                + "and inference multiply-accumulates per image. Without a model: every preset.")
final class ParamsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--iters", defaultValue = "" + SolverConfig.REFERENCE_ITERATIONS,
            description = "Fixed-point iterations for GET (default: ${DEFAULT-VALUE}).")
    int iters;

    @Override
    public void run() {
        if (iters < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--iters must be at least 1");
        }
        ModelConfig one = model.config(); // a bad flag fails before any output
        PrintWriter out = spec.commandLine().getOut();
        out.printf("| model | classes | params | GMACs/image (%d iterations for GET) |%n|---|---|---|---|%n", iters);
        if (one != null) {
            row(out, model.preset != null ? model.preset : one.arch().name(), one);
        } else {
            for (String name : Presets.names()) {
                row(out, name, Presets.get(name, model.classes == null ? 0 : model.classes));
            }
        }
        out.flush();
    }

    private void row(PrintWriter out, String name, ModelConfig c) {
        out.printf("| %s | %d | %,d | %.2f |%n", name, c.numClasses(), c.parameterCount(), c.inferenceMacs(iters) / 1e9);
    }
}
