package org.get4j.model;

import static org.get4j.model.ModelConfig.Arch.GET;
import static org.get4j.model.ModelConfig.Arch.VIT;

import java.util.LinkedHashMap;
import java.util.Map;
import org.get4j.Get4jException;

/**
 * Named model sizes. The paper's (CIFAR-10: 32x32x3, patch 2, 256 tokens, L_mem 3) and small ones sized for
 * MNIST on a 2-core CPU (MNIST padded to 32x32x1, patch 4, 64 tokens). GET-Mini and ViT-Mini have about the
 * same number of parameters (1.15M and 1.20M); GET-Micro (118,608) is about the size of the shipped MNIST EDM
 * teacher (112,609), for speed comparisons of student and teacher at equal size.
 */
public final class Presets {
    private static final Map<String, ModelConfig> PRESETS = new LinkedHashMap<>();

    static {
        PRESETS.put("GET-T", cifar10(GET).width(256).heads(4).depth(6).memDepth(3).deqMlpRatio(6).build());
        PRESETS.put("GET-M", cifar10(GET).width(384).heads(6).depth(6).memDepth(3).deqMlpRatio(6).build());
        PRESETS.put("GET-S", cifar10(GET).width(512).heads(8).depth(6).memDepth(3).deqMlpRatio(8).build());
        PRESETS.put("GET-B", cifar10(GET).width(768).heads(12).depth(1).memDepth(3).deqMlpRatio(12).build());
        PRESETS.put("GET-B+", cifar10(GET).width(768).heads(12).depth(6).memDepth(3).deqMlpRatio(8).build());
        PRESETS.put("ViT-S", cifar10(VIT).width(384).heads(6).depth(12).build());
        PRESETS.put("ViT-B", cifar10(VIT).width(768).heads(12).depth(12).build());
        PRESETS.put("ViT-L", cifar10(VIT).width(1024).heads(16).depth(24).build());
        PRESETS.put("ViT-XL", cifar10(VIT).width(1152).heads(16).depth(28).build());
        PRESETS.put("GET-Mini", mnist(GET).width(128).heads(4).depth(2).memDepth(3).deqMlpRatio(4).build());
        PRESETS.put("ViT-Mini", mnist(VIT).width(128).heads(4).depth(6).build());
        PRESETS.put("GET-Micro", mnist(GET).width(64).heads(4).depth(1).memDepth(1).deqMlpRatio(4).build());
    }

    /** CIFAR-10's shape: 32x32x3 in 2x2 patches, 256 tokens. */
    private static ModelConfig.Builder cifar10(ModelConfig.Arch arch) {
        return ModelConfig.builder(arch).imageSize(32).channels(3).patch(2);
    }

    /** MNIST padded to 32x32x1 in 4x4 patches, 64 tokens. */
    private static ModelConfig.Builder mnist(ModelConfig.Arch arch) {
        return ModelConfig.builder(arch).imageSize(32).channels(1).patch(4);
    }

    private Presets() {}

    /** The preset called {@code name} (case-insensitive) with {@code classes} classes (0: unconditional). */
    public static ModelConfig get(String name, int classes) {
        for (var e : PRESETS.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name.strip())) {
                return e.getValue().withClasses(classes);
            }
        }
        throw new Get4jException("unknown model '" + name + "' (known: " + String.join(", ", PRESETS.keySet()) + ")");
    }

    public static Iterable<String> names() {
        return PRESETS.keySet();
    }
}
