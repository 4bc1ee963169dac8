package org.get4j.diffusion;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.get4j.Get4jException;
import org.get4j.io.Checksums;
import org.get4j.io.JsonErrors;
import org.get4j.io.TorchFile;
import org.get4j.runtime.Torch;
import org.get4j.runtime.TorchRuntime;

/**
 * Any EDM-style denoiser exported to TorchScript: {@code forward(x, sigma[, class_labels])} returning D(x; sigma),
 * with x (B, C, H, W) and sigma (B,) float32 and class labels one-hot (B, K) as EDM takes them. A JSON file beside
 * it ({@code <file>.json}: channels, image_size, num_classes) describes it; {@code environment/export_edm_torchscript.py}
 * writes both from an EDM checkpoint.
 */
public final class TorchScriptTeacher implements Denoiser {
    private final Model model;
    private final int channels;
    private final int size;
    private final int classes;
    private final String identity;

    private TorchScriptTeacher(Model model, int channels, int size, int classes, String identity) {
        this.model = model;
        this.channels = channels;
        this.size = size;
        this.classes = classes;
        this.identity = identity;
    }

    public static TorchScriptTeacher load(NDManager manager, Path file) {
        Path sidecar = file.resolveSibling(file.getFileName() + ".json");
        if (!Files.isRegularFile(sidecar)) {
            throw new Get4jException("TorchScript teacher " + file + " needs its description " + sidecar
                    + " ({\"channels\": C, \"image_size\": S, \"num_classes\": K}); the export script writes it");
        }
        Map<?, ?> meta;
        try {
            meta = new ObjectMapper().readValue(sidecar.toFile(), Map.class);
        } catch (IOException e) {
            throw new Get4jException(sidecar + ": unreadable JSON: " + JsonErrors.describe(e));
        }
        int c = intField(meta, "channels", sidecar);
        int s = intField(meta, "image_size", sidecar);
        int k = intField(meta, "num_classes", sidecar);
        TorchRuntime.configure();
        TorchFile.verifyArchive(file);
        Model model = Model.newInstance("teacher", manager.getDevice(), TorchRuntime.ENGINE);
        try {
            model.load(file);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw new Get4jException(file + " is not a loadable TorchScript module: " + e.getMessage(), e);
        }
        return new TorchScriptTeacher(model, c, s, k, "torchscript(" + file.getFileName() + ", sha256="
                + Checksums.sha256(file) + ")");
    }

    private static int intField(Map<?, ?> meta, String key, Path file) {
        Object v = meta.get(key);
        if (!(v instanceof Number n)) {
            throw new Get4jException(file + ": field '" + key + "' is missing or not a number");
        }
        return n.intValue();
    }

    @Override
    public NDArray denoise(NDArray x, NDArray sigma, NDArray labels) {
        NDManager m = x.getManager();
        try (Torch.GradMode noGrad = Torch.noGrad()) {
            NDList in = new NDList(x.toType(DataType.FLOAT32, false), sigma.toType(DataType.FLOAT32, false));
            if (classes > 0) {
                if (labels == null) {
                    throw new Get4jException("this TorchScript teacher is conditional: labels are required");
                }
                in.add(labels.toType(DataType.INT64, false).oneHot(classes, DataType.FLOAT32));
            }
            NDList out = model.getBlock().forward(new ParameterStore(m, false), in, false);
            NDArray d = out.singletonOrThrow();
            d.attach(m);
            return d.toType(x.getDataType(), false);
        }
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int imageSize() {
        return size;
    }

    @Override
    public int numClasses() {
        return classes;
    }

    @Override
    public String identity() {
        return identity;
    }
}
