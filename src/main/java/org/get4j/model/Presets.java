package org.get4j.model;

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
        PRESETS.put("GET-T", ModelConfig.get(32, 3, 2, 256, 4, 6, 3, 6, 0));
        PRESETS.put("GET-M", ModelConfig.get(32, 3, 2, 384, 6, 6, 3, 6, 0));
        PRESETS.put("GET-S", ModelConfig.get(32, 3, 2, 512, 8, 6, 3, 8, 0));
        PRESETS.put("GET-B", ModelConfig.get(32, 3, 2, 768, 12, 1, 3, 12, 0));
        PRESETS.put("GET-B+", ModelConfig.get(32, 3, 2, 768, 12, 6, 3, 8, 0));
        PRESETS.put("ViT-S", ModelConfig.vit(32, 3, 2, 384, 6, 12, 0));
        PRESETS.put("ViT-B", ModelConfig.vit(32, 3, 2, 768, 12, 12, 0));
        PRESETS.put("ViT-L", ModelConfig.vit(32, 3, 2, 1024, 16, 24, 0));
        PRESETS.put("ViT-XL", ModelConfig.vit(32, 3, 2, 1152, 16, 28, 0));
        PRESETS.put("GET-Mini", ModelConfig.get(32, 1, 4, 128, 4, 2, 3, 4, 0));
        PRESETS.put("ViT-Mini", ModelConfig.vit(32, 1, 4, 128, 4, 6, 0));
        PRESETS.put("GET-Micro", ModelConfig.get(32, 1, 4, 64, 4, 1, 1, 4, 0));
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
