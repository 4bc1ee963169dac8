package org.get4j.cli;

import java.nio.file.Path;
import org.get4j.model.Checkpoints;
import org.get4j.model.Generator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code get4j export}: a checkpoint's weights alone, for shipping or sampling elsewhere. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a checkpoint's EMA weights (or its model weights) alone, without the optimiser state: "
                + "a file about a quarter of the size that samples, evaluates and loads like the checkpoint, but "
                + "cannot be resumed.")
final class ExportCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", required = true, description = "A get4j checkpoint (checkpoint.safetensors).")
    Path checkpoint;

    @Option(names = "--out", required = true, description = "The file to write (atomically).")
    Path out;

    @Option(names = "--weights", defaultValue = "EMA",
            description = "Which weights to keep: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}; a checkpoint "
                    + "without EMA weights gives its model weights).")
    Checkpoints.Weights weights;

    @Override
    public void run() {
        Checkpoints.exportWeights(checkpoint, out, weights);
        try (var manager = org.get4j.runtime.TorchRuntime.newManager()) {
            Generator g = Checkpoints.load(out, manager, null, Checkpoints.Weights.MODEL); // it loads back
            spec.commandLine().getOut().printf("wrote %s: %s weights, %,d parameters, SHA-256 %s%n", out,
                    weights.name().toLowerCase(), g.config().parameterCount(), org.get4j.io.Checksums.sha256(out));
        }
        spec.commandLine().getOut().flush();
    }
}
