package org.get4j.cli;

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
    @Option(names = "--arch", paramLabel = "get|vit", description = "Architecture (with the flags below).")
    String arch;
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

    /** The config the options describe, or null when none was given. */
    ModelConfig config() {
        if (!given()) {
            return null;
        }
        try {
            ModelConfig base = preset != null ? Presets.get(preset, 0)
                    : arch.equalsIgnoreCase("vit") ? ModelConfig.vit(32, 3, 2, 256, 4, 6, 0)
                    : ModelConfig.get(32, 3, 2, 256, 4, 6, 3, 6, 0);
            ModelConfig.Arch a = arch == null ? base.arch() : ModelConfig.Arch.valueOf(arch.strip().toUpperCase());
            return new ModelConfig(a, or(imageSize, base.imageSize()), or(channels, base.channels()),
                    or(patch, base.patch()), or(width, base.width()), or(heads, base.heads()), or(depth, base.depth()),
                    a == ModelConfig.Arch.VIT ? 0 : or(memDepth, Math.max(1, base.memDepth())),
                    mlpRatio != null ? mlpRatio : base.mlpRatio(),
                    a == ModelConfig.Arch.VIT ? 0 : deqMlpRatio != null ? deqMlpRatio
                            : base.deqMlpRatio() > 0 ? base.deqMlpRatio() : 4,
                    or(classes, base.numClasses()), z0Scale != null ? z0Scale : base.z0Scale(),
                    z0Injection != null ? z0Injection : a == ModelConfig.Arch.GET && base.z0Injection());
        } catch (RuntimeException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private static int or(Integer value, int fallback) {
        return value != null ? value : fallback;
    }
}
