package org.get4j.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.get4j.Get4jException;
import org.get4j.io.Checksums;
import org.get4j.io.HostTensor;
import org.get4j.io.SafeTensors;
import org.get4j.runtime.Torch;

/**
 * A neural EDM teacher: a U-Net F wrapped in EDM's preconditioning (Karras et al. 2022, Table 1), sigma_data 0.5:
 *
 * <pre>
 *   D(x; sigma) = c_skip x + c_out F(c_in x; c_noise)
 *   c_skip = sigma_d^2 / (sigma^2 + sigma_d^2)     c_out = sigma sigma_d / sqrt(sigma^2 + sigma_d^2)
 *   c_in   = 1 / sqrt(sigma^2 + sigma_d^2)          c_noise = ln(sigma) / 4
 * </pre>
 */
public final class EdmTeacher implements Denoiser {
    public static final double SIGMA_DATA = 0.5;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Shape of the teacher network. */
    public record Config(int channels, int imageSize, int base, int numClasses) {
        public Config {
            if (channels < 1 || imageSize % 4 != 0 || base < 8 || base % 8 != 0 || numClasses < 0) {
                throw new Get4jException("teacher config: need channels >= 1, image size divisible by 4, base a "
                        + "multiple of 8, classes >= 0; got " + channels + ", " + imageSize + ", " + base + ", "
                        + numClasses);
            }
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>(); // a fixed order: the map is part of the identity
            m.put("channels", channels);
            m.put("image_size", imageSize);
            m.put("base", base);
            m.put("num_classes", numClasses);
            return m;
        }
    }

    private final Config config;
    private final UNet net;
    private final ParameterStore ps;
    private String identity;

    public EdmTeacher(Config config, NDManager manager) {
        this.config = config;
        this.net = new UNet(config.channels(), config.base(), config.numClasses());
        Shape x = new Shape(1, config.channels(), config.imageSize(), config.imageSize());
        if (config.numClasses() > 0) {
            net.initialize(manager, DataType.FLOAT32, x, new Shape(1), new Shape(1));
        } else {
            net.initialize(manager, DataType.FLOAT32, x, new Shape(1));
        }
        this.ps = new ParameterStore(manager, false);
        this.identity = "edm-unet(" + config.toMap() + ", untrained)";
    }

    public Config config() {
        return config;
    }

    /** D(x; sigma) with gradients when called in training (inside a GradientCollector). */
    public NDArray precondition(NDArray x, NDArray sigma, NDArray labels, boolean training) {
        NDArray s = sigma.toType(DataType.FLOAT32, false).reshape(-1, 1, 1, 1);
        NDArray xf = x.toType(DataType.FLOAT32, false);
        double sd2 = SIGMA_DATA * SIGMA_DATA;
        NDArray s2 = s.square();
        NDArray cSkip = s2.add(sd2).pow(-1).mul(sd2);
        NDArray cOut = s.mul(SIGMA_DATA).div(s2.add(sd2).sqrt());
        NDArray cIn = s2.add(sd2).sqrt().pow(-1);
        NDArray cNoise = s.log().div(4).reshape(-1);
        NDList in = labels == null ? new NDList(xf.mul(cIn), cNoise) : new NDList(xf.mul(cIn), cNoise, labels);
        NDArray f = net.forward(ps, in, training).singletonOrThrow();
        return cSkip.mul(xf).add(cOut.mul(f));
    }

    @Override
    public NDArray denoise(NDArray x, NDArray sigma, NDArray labels) {
        if ((labels == null) != (config.numClasses() == 0)) {
            throw new Get4jException(config.numClasses() == 0 ? "labels given to an unconditional teacher"
                    : "this teacher is conditional (" + config.numClasses() + " classes): labels are required");
        }
        try (Torch.GradMode noGrad = Torch.noGrad()) {
            return precondition(x, sigma, labels, false).toType(x.getDataType(), false);
        }
    }

    public List<NDArray> parameterArrays() {
        return net.getParameters().values().stream().map(Parameter::getArray).toList();
    }

    /** The class embedding table (classes, embedding), or empty for an unconditional teacher. */
    public java.util.Optional<NDArray> classTable() {
        return net.classTable().map(Parameter::getArray);
    }

    @Override
    public int channels() {
        return config.channels();
    }

    @Override
    public int imageSize() {
        return config.imageSize();
    }

    @Override
    public int numClasses() {
        return config.numClasses();
    }

    @Override
    public String identity() {
        return identity;
    }

    /** The weights by DJL parameter name, for checkpoints. */
    public Map<String, HostTensor> stateDict() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            out.put(p.getKey(), HostTensor.of(p.getValue().getArray()));
        }
        return out;
    }

    public void loadStateDict(Map<String, HostTensor> sd, String source) {
        for (Pair<String, Parameter> p : net.getParameters()) {
            HostTensor t = sd.get(p.getKey());
            if (t == null || !t.djlShape().equals(p.getValue().getArray().getShape())) {
                throw new Get4jException(source + ": teacher weight '" + p.getKey() + "' is "
                        + (t == null ? "missing" : "of shape " + t.djlShape()) + ", expected "
                        + p.getValue().getArray().getShape());
            }
            Torch.assign(p.getValue().getArray(), t.toFloatArray());
        }
    }

    /**
     * Starts this teacher from {@code source}'s weights: every weight of the same U-Net is copied, and a class table
     * that this teacher has and the source lacks starts at zero. The class embedding is added to the noise embedding,
     * so a zero table makes this conditional teacher denoise exactly as the unconditional source, whatever the label:
     * training then only has to learn what the label adds (issue 24's conditional teacher, fine-tuned from
     * edm-mnist).
     */
    public void warmStartFrom(EdmTeacher source) {
        Config s = source.config;
        boolean classesFit = s.numClasses() == config.numClasses() || s.numClasses() == 0;
        if (s.channels() != config.channels() || s.imageSize() != config.imageSize() || s.base() != config.base()
                || !classesFit) {
            throw new Get4jException("cannot warm-start teacher " + config + " from " + source.identity()
                    + ": the U-Net must match (channels, image size, base) and the source must have the same classes"
                    + " or none");
        }
        Map<String, HostTensor> weights = new LinkedHashMap<>(source.stateDict());
        for (Pair<String, Parameter> p : net.getParameters()) {
            if (!weights.containsKey(p.getKey())) { // the class table of an unconditional source
                try (NDArray zero = p.getValue().getArray().zerosLike()) {
                    weights.put(p.getKey(), HostTensor.of(zero));
                }
            }
        }
        loadStateDict(weights, source.identity());
    }

    /** Saves the (EMA) weights with the config: the file users load as a teacher. */
    public void save(Path file, Map<String, String> metadata) {
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("get4j.teacher", "edm-unet");
        try {
            meta.put("get4j.teacher_config", JSON.writeValueAsString(config.toMap()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        SafeTensors.write(file, stateDict(), meta);
    }

    /** Loads a teacher file written by {@link #save}. */
    public static EdmTeacher load(NDManager manager, Path file) {
        SafeTensors.Contents c = SafeTensors.read(file);
        if (!"edm-unet".equals(c.metadata().get("get4j.teacher"))) {
            throw new Get4jException(file + " is not a get4j EDM teacher (no get4j.teacher = edm-unet metadata)");
        }
        Config config;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = JSON.readValue(c.metadata().get("get4j.teacher_config"), Map.class);
            config = new Config(((Number) m.get("channels")).intValue(), ((Number) m.get("image_size")).intValue(),
                    ((Number) m.get("base")).intValue(), ((Number) m.get("num_classes")).intValue());
        } catch (IOException | RuntimeException e) {
            throw new Get4jException(file + ": unreadable teacher config: " + e.getMessage());
        }
        EdmTeacher t = new EdmTeacher(config, manager);
        t.loadStateDict(c.tensors(), file.toString());
        t.identity = "edm-unet(" + config.toMap() + ", sha256=" + Checksums.sha256(file) + ")";
        return t;
    }
}
