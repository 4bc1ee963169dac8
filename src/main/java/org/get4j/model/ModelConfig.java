package org.get4j.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.get4j.Get4jException;
import org.get4j.InvalidValueException;
import org.get4j.io.ConfigValues;
import org.get4j.nn.GetBlock;

/**
 * The shape of a student network. GET: {@code depth} injection blocks (MLP ratio {@code mlpRatio}) and
 * {@code memDepth} weight-tied equilibrium blocks (MLP ratio {@code deqMlpRatio}). ViT: {@code depth} blocks of
 * MLP ratio {@code mlpRatio} ({@code memDepth} and {@code deqMlpRatio} unused, 0). {@code numClasses} 0 means
 * unconditional. {@code z0Scale} s sets GET's initial state, in training and at inference: z0 ~ N(0, s^2 I); the
 * reference's s = 1, and s = 0 starts from the zero state, whose first iterate already depends on the noise only.
 * {@code z0Injection} (not the reference) starts GET's state at the injection transformer's output tokens x instead
 * of at 0: z0 = x + N(0, s^2 I). The tokens then carry the noise from the first iterate on, as a ViT's residual
 * stream does, instead of reaching the state only through the attention of the equilibrium blocks.
 */
public record ModelConfig(Arch arch, int imageSize, int channels, int patch, int width, int heads, int depth,
        int memDepth, double mlpRatio, double deqMlpRatio, int numClasses, double z0Scale, boolean z0Injection) {

    /** The two architectures. */
    public enum Arch { GET, VIT }

    public static final List<String> KEYS = List.of("arch", "image_size", "channels", "patch", "width", "heads",
            "depth", "mem_depth", "mlp_ratio", "deq_mlp_ratio", "num_classes", "z0_scale", "z0_injection");

    /** Keys a config may omit (older files), with these defaults. */
    private static final Map<String, Object> OPTIONAL = Map.of("z0_scale", 1.0, "z0_injection", false);

    public ModelConfig {
        check(arch != null, "arch", arch, "get or vit");
        check(imageSize > 0 && patch > 0 && imageSize % patch == 0, "patch", patch,
                "a positive divisor of image_size " + imageSize);
        check(channels > 0, "channels", channels, "positive");
        check(width > 0 && width % 4 == 0, "width", width, "a positive multiple of 4 (sin-cos embedding)");
        check(heads > 0 && width % heads == 0, "heads", heads, "a positive divisor of width " + width);
        check(arch == Arch.GET ? depth >= 0 : depth >= 1, "depth", depth, arch == Arch.GET ? ">= 0" : ">= 1");
        check(arch == Arch.GET ? memDepth >= 1 : memDepth == 0, "mem_depth", memDepth,
                arch == Arch.GET ? ">= 1" : "0 for a ViT");
        check(mlpRatio > 0, "mlp_ratio", mlpRatio, "positive");
        check(arch == Arch.GET ? deqMlpRatio > 0 : deqMlpRatio == 0, "deq_mlp_ratio", deqMlpRatio,
                arch == Arch.GET ? "positive" : "0 for a ViT");
        check(numClasses >= 0, "num_classes", numClasses, ">= 0");
        check(z0Scale >= 0 && Double.isFinite(z0Scale), "z0_scale", z0Scale, "a finite number >= 0");
        check(arch == Arch.GET || !z0Injection, "z0_injection", z0Injection, "false for a ViT");
    }

    private static void check(boolean ok, String key, Object value, String expected) {
        InvalidValueException.require(ok, "model config", key, value, expected);
    }

    /** A GET of the given shape, MLP ratio 4 in the injection blocks, unconditional unless numClasses > 0. */
    public static ModelConfig get(int imageSize, int channels, int patch, int width, int heads, int injDepth,
            int memDepth, double deqMlpRatio, int numClasses) {
        return builder(Arch.GET).imageSize(imageSize).channels(channels).patch(patch).width(width).heads(heads)
                .depth(injDepth).memDepth(memDepth).deqMlpRatio(deqMlpRatio).numClasses(numClasses).build();
    }

    /** A ViT of the given shape, MLP ratio 4. */
    public static ModelConfig vit(int imageSize, int channels, int patch, int width, int heads, int depth,
            int numClasses) {
        return builder(Arch.VIT).imageSize(imageSize).channels(channels).patch(patch).width(width).heads(heads)
                .depth(depth).numClasses(numClasses).build();
    }

    public ModelConfig withClasses(int classes) {
        return toBuilder().numClasses(classes).build();
    }

    /** The same network with GET's initial state z0 ~ N(0, s^2 I) (plus x when z0_injection is set). */
    public ModelConfig withZ0Scale(double s) {
        return toBuilder().z0Scale(s).build();
    }

    /** The same network with GET's state starting at the injection tokens (true) or at the reference's 0 (false). */
    public ModelConfig withZ0Injection(boolean fromInjection) {
        return toBuilder().z0Injection(fromInjection).build();
    }

    /**
     * Named setters for an architecture. Defaults: MLP ratios 4 (0 for a ViT's unused equilibrium ratio), one
     * equilibrium block for GET (none for a ViT), unconditional, the reference's z0 ~ N(0, I). The image size,
     * channels, patch, width, heads and depth have no default: a config without them is refused by name.
     */
    public static Builder builder(Arch arch) {
        return new Builder(arch);
    }

    /** A builder holding this config's values. */
    public Builder toBuilder() {
        return builder(arch).imageSize(imageSize).channels(channels).patch(patch).width(width).heads(heads)
                .depth(depth).memDepth(memDepth).mlpRatio(mlpRatio).deqMlpRatio(deqMlpRatio).numClasses(numClasses)
                .z0Scale(z0Scale).z0Injection(z0Injection);
    }

    /**
     * See {@link #builder}. Each setter returns a new builder, so a partly set builder can be shared: notebook 05's
     * arms start from one and each names what it changes.
     */
    public static final class Builder {
        private final Arch arch;
        private int imageSize;
        private int channels;
        private int patch;
        private int width;
        private int heads;
        private int depth = -1;
        private int memDepth;
        private double mlpRatio = 4;
        private double deqMlpRatio;
        private int numClasses;
        private double z0Scale = 1.0;
        private boolean z0Injection;

        private Builder(Arch arch) {
            this.arch = arch;
            this.memDepth = arch == Arch.GET ? 1 : 0;
            this.deqMlpRatio = arch == Arch.GET ? 4 : 0;
        }

        public Builder imageSize(int v) { Builder b = copy(); b.imageSize = v; return b; }
        public Builder channels(int v) { Builder b = copy(); b.channels = v; return b; }
        public Builder patch(int v) { Builder b = copy(); b.patch = v; return b; }
        public Builder width(int v) { Builder b = copy(); b.width = v; return b; }
        public Builder heads(int v) { Builder b = copy(); b.heads = v; return b; }
        /** GET: injection blocks L_inj; ViT: blocks. */
        public Builder depth(int v) { Builder b = copy(); b.depth = v; return b; }
        /** GET: weight-tied equilibrium blocks L_mem. */
        public Builder memDepth(int v) { Builder b = copy(); b.memDepth = v; return b; }
        public Builder mlpRatio(double v) { Builder b = copy(); b.mlpRatio = v; return b; }
        public Builder deqMlpRatio(double v) { Builder b = copy(); b.deqMlpRatio = v; return b; }
        public Builder numClasses(int v) { Builder b = copy(); b.numClasses = v; return b; }
        public Builder z0Scale(double v) { Builder b = copy(); b.z0Scale = v; return b; }
        public Builder z0Injection(boolean v) { Builder b = copy(); b.z0Injection = v; return b; }

        public ModelConfig build() {
            return new ModelConfig(arch, imageSize, channels, patch, width, heads, depth, memDepth, mlpRatio,
                    deqMlpRatio, numClasses, z0Scale, z0Injection);
        }

        private Builder copy() {
            Builder b = new Builder(arch);
            b.imageSize = imageSize;
            b.channels = channels;
            b.patch = patch;
            b.width = width;
            b.heads = heads;
            b.depth = depth;
            b.memDepth = memDepth;
            b.mlpRatio = mlpRatio;
            b.deqMlpRatio = deqMlpRatio;
            b.numClasses = numClasses;
            b.z0Scale = z0Scale;
            b.z0Injection = z0Injection;
            return b;
        }
    }

    /** Tokens per side. */
    public int grid() {
        return imageSize / patch;
    }

    public int tokens() {
        return grid() * grid();
    }

    private static long blockParams(long d, double ratio) {
        long hidden = Math.round(d * ratio);
        return 4 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * hidden + hidden) + (hidden * d + d);
    }

    /** Parameters including the (fixed) positional embedding, as the reference counts them. */
    public long parameterCount() {
        long d = width;
        long embed = d * channels * patch * patch + d + (long) tokens() * d;
        long classes = (long) numClasses * 3 * d;
        long decoder = 2 * d + d * patch * patch * channels + (long) patch * patch * channels;
        long body = depth * blockParams(d, mlpRatio);
        if (arch == Arch.GET) {
            body += d * 3 * d * memDepth + memDepth * blockParams(d, deqMlpRatio);
        }
        return embed + classes + decoder + body;
    }

    /** Multiply-accumulates per image at inference; {@code iterations} evaluations of f for GET. */
    public long inferenceMacs(int iterations) {
        return (long) tokens() * width * channels * patch * patch * 2 + bodyMacs(iterations); // + embedding, decoder
    }

    /**
     * Multiply-accumulates per sample of the transformer between patch embedding and decoder: the blocks, and for GET
     * the injection projection Linear(D, 3D L_mem) and {@code iterations} applications of the L_mem equilibrium blocks.
     */
    public long bodyMacs(int iterations) {
        long n = tokens();
        long d = width;
        long macs = depth * GetBlock.macs(n, d, mlpRatio);
        if (arch == Arch.GET) {
            macs += n * d * 3 * d * memDepth + (long) iterations * memDepth * GetBlock.macs(n, d, deqMlpRatio);
        }
        return macs;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("arch", arch.name().toLowerCase());
        m.put("image_size", imageSize);
        m.put("channels", channels);
        m.put("patch", patch);
        m.put("width", width);
        m.put("heads", heads);
        m.put("depth", depth);
        m.put("mem_depth", memDepth);
        m.put("mlp_ratio", mlpRatio);
        m.put("deq_mlp_ratio", deqMlpRatio);
        m.put("num_classes", numClasses);
        m.put("z0_scale", z0Scale);
        m.put("z0_injection", z0Injection);
        return m;
    }

    public static ModelConfig fromMap(Map<String, ?> m) {
        Set<String> unknown = new TreeSet<>(m.keySet());
        KEYS.forEach(unknown::remove);
        if (!unknown.isEmpty()) {
            throw new Get4jException("model config: unknown key(s) " + unknown + "; known keys are " + KEYS);
        }
        Set<String> missing = new TreeSet<>(KEYS);
        missing.removeAll(m.keySet());
        missing.removeAll(OPTIONAL.keySet());
        if (!missing.isEmpty()) {
            throw new Get4jException("model config: missing key(s) " + missing);
        }
        try {
            return new ModelConfig(Arch.valueOf(m.get("arch").toString().toUpperCase()), integer(m, "image_size"),
                    integer(m, "channels"), integer(m, "patch"), integer(m, "width"), integer(m, "heads"),
                    integer(m, "depth"), integer(m, "mem_depth"), number(m, "mlp_ratio"), number(m, "deq_mlp_ratio"),
                    integer(m, "num_classes"), m.containsKey("z0_scale") ? number(m, "z0_scale")
                            : ((Number) OPTIONAL.get("z0_scale")).doubleValue(),
                    m.containsKey("z0_injection") ? bool(m, "z0_injection") : (Boolean) OPTIONAL.get("z0_injection"));
        } catch (IllegalArgumentException e) {
            throw new Get4jException("model config: " + e.getMessage(), e);
        }
    }

    private static boolean bool(Map<String, ?> m, String key) {
        try {
            return ConfigValues.bool(m.get(key));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + key + "' = " + m.get(key) + " is " + e.getMessage(), e);
        }
    }

    private static double number(Map<String, ?> m, String key) {
        return ConfigValues.number(m.get(key));
    }

    private static int integer(Map<String, ?> m, String key) {
        try {
            return ConfigValues.integer(m.get(key));
        } catch (NumberFormatException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + key + "' = " + m.get(key) + " is " + e.getMessage(), e);
        }
    }
}
