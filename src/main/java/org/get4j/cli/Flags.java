package org.get4j.cli;

import java.util.Map;
import org.get4j.InvalidValueException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** The command line's name for a library setting, so an invalid value is reported under the flag the user typed. */
final class Flags {
    private static final Map<String, String> RENAMED = Map.of("ema_decay", "--ema", "jacobian_weight", "--jacobian",
            "num_classes", "--classes", "distance", "--loss", "supervised", "--supervise-last");

    private Flags() {}

    /** {@code checkpoint_every} is {@code --checkpoint-every}; the few that differ are listed above. */
    static String of(String setting) {
        return RENAMED.getOrDefault(setting, "--" + setting.replace('_', '-'));
    }

    /** A usage error (exit code 2) that names the flag. */
    static ParameterException usageError(CommandSpec spec, InvalidValueException e) {
        return new ParameterException(spec.commandLine(), e.describe(of(e.setting())));
    }

    /** Refuses {@code value < min} as a usage error naming the flag. */
    static void atLeast(CommandSpec spec, String flag, long value, long min) {
        if (value < min) {
            throw new ParameterException(spec.commandLine(), flag + " must be at least " + min + ", got " + value);
        }
    }

    /** The dataset a --dataset value names; an unknown name is a usage error. */
    static org.get4j.data.Dataset dataset(CommandSpec spec, String name) {
        try {
            return org.get4j.data.Dataset.byName(name);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The presets a --model list names; an unknown name is a usage error naming the flag. */
    static java.util.List<org.get4j.model.ModelConfig> presets(CommandSpec spec, java.util.List<String> names) {
        try {
            return names.stream().map(n -> org.get4j.model.Presets.get(n, 0)).toList();
        } catch (org.get4j.Get4jException e) {
            throw new ParameterException(spec.commandLine(), "--model: " + e.getMessage());
        }
    }
}
