package org.get4j.cli;

import org.get4j.InvalidValueException;
import org.get4j.model.ModelConfig;
import org.get4j.model.Presets;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A model named by preset ({@code --model GET-T}) or spelled out flag by flag; flags override the preset. */
final class ModelOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** The preset names, for the help text: generated, so a new preset is never missing from it. */
    static final class PresetNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Presets.names().iterator();
        }
    }

    @Option(names = "--model", paramLabel = "NAME", completionCandidates = PresetNames.class,
            description = "Preset: ${COMPLETION-CANDIDATES}.")
    String preset;
    @Option(names = "--classes", paramLabel = "K", description = "Number of classes (0: unconditional).")
    Integer classes;
    @Option(names = "--arch", paramLabel = "get|vit", description = "Architecture: ${COMPLETION-CANDIDATES} (flags "
            + "not given take the values of --model, else of GET-T).")
    ModelConfig.Arch arch;
    @Option(names = "--image-size", paramLabel = "PX", description = "Image side in pixels (the noise's too).")
    Integer imageSize;
    @Option(names = "--channels", description = "Image channels: 1 for MNIST, 3 for CIFAR-10.") Integer channels;
    @Option(names = "--patch", description = "Patch side p: the image becomes (side / p)^2 tokens.") Integer patch;
    @Option(names = "--width", description = "Token width D of every block.") Integer width;
    @Option(names = "--heads", description = "Attention heads per block (must divide the width).") Integer heads;
    @Option(names = "--depth", description = "GET: injection blocks L_inj; ViT: blocks.") Integer depth;
    @Option(names = "--mem-depth", description = "GET: equilibrium blocks L_mem.") Integer memDepth;
    @Option(names = "--mlp-ratio", description = "MLP hidden width over D in the injection (ViT: every) blocks.")
    Double mlpRatio;
    @Option(names = "--deq-mlp-ratio", description = "GET: MLP hidden width over D in the equilibrium blocks.")
    Double deqMlpRatio;
    @Option(names = "--z0-scale", paramLabel = "S",
            description = "GET: initial state z0 ~ N(0, S^2 I) in training and sampling (reference 1; 0 = zero state).")
    Double z0Scale;
    @Option(names = "--z0-injection", paramLabel = "true|false", arity = "0..1", fallbackValue = "true",
            description = "GET: start the state at the injection transformer's tokens, z0 = x + N(0, S^2 I) "
                    + "(not the reference, which starts at N(0, I)).")
    Boolean z0Injection;

    boolean given() {
        return preset != null || arch != null;
    }

    /** The config the options describe, or null when none was given. Flags not given keep the preset's values. */
    ModelConfig config() {
        if (!given()) {
            return null;
        }
        try {
            ModelConfig base = Presets.get(preset != null ? preset : "GET-T", 0);
            ModelConfig.Arch a = arch != null ? arch : base.arch();
            ModelConfig.Builder b = ModelConfig.builder(a).imageSize(or(imageSize, base.imageSize()))
                    .channels(or(channels, base.channels())).patch(or(patch, base.patch()))
                    .width(or(width, base.width())).heads(or(heads, base.heads())).depth(or(depth, base.depth()))
                    .mlpRatio(mlpRatio != null ? mlpRatio : base.mlpRatio()).numClasses(or(classes, base.numClasses()))
                    .z0Scale(z0Scale != null ? z0Scale : base.z0Scale());
            if (a == ModelConfig.Arch.GET) { // a ViT preset turned into a GET gets GET's defaults for these
                b = b.memDepth(or(memDepth, Math.max(1, base.memDepth())))
                        .deqMlpRatio(deqMlpRatio != null ? deqMlpRatio : base.deqMlpRatio() > 0 ? base.deqMlpRatio() : 4)
                        .z0Injection(z0Injection != null ? z0Injection : base.z0Injection());
            } else if (z0Injection != null && z0Injection) {
                b = b.z0Injection(true); // refused by name: a ViT has no state
            }
            return b.build();
        } catch (InvalidValueException e) {
            throw Flags.usageError(spec, e);
        } catch (RuntimeException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private static int or(Integer value, int fallback) {
        return value != null ? value : fallback;
    }
}
