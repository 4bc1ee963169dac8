package org.get4j.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import org.get4j.Get4jException;
import org.get4j.data.DataHome;
import org.get4j.data.Dataset;
import org.get4j.data.Datasets;
import org.get4j.data.ImageGrid;
import org.get4j.io.SafeTensors;

/** Opening a teacher file of any kind, and turning images back into bytes. */
public final class Teachers {
    private Teachers() {}

    /** A get4j EDM teacher or Gaussian mixture (safetensors), or a TorchScript denoiser (.pt). */
    public static Denoiser load(NDManager manager, Path file) {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new Get4jException("teacher file " + file + " not found");
        }
        if (SafeTensors.looksLike(file) || file.getFileName().toString().endsWith(".safetensors")) {
            String kind = SafeTensors.metadata(file).get("get4j.teacher");
            if ("edm-unet".equals(kind)) {
                return EdmTeacher.load(manager, file);
            }
            if ("gaussian-mixture".equals(kind)) {
                return GaussianMixtureTeacher.load(manager, file);
            }
            throw new Get4jException(file + " is a safetensors file but not a get4j teacher (get4j.teacher = " + kind + ")");
        }
        return TorchScriptTeacher.load(manager, file);
    }

    /**
     * A teacher named on the command line: a file (see {@link #load}), or {@code gmm:mnist[:rank]} /
     * {@code gmm:fashion-mnist[:rank]} for the analytic teacher fitted to that training set (padded to 32 x 32;
     * default rank 32), fitted once and cached under the data home's teachers/ folder.
     */
    public static Denoiser resolve(NDManager manager, String spec) {
        if (spec.startsWith("gmm:")) {
            String[] parts = spec.split(":");
            Dataset dataset;
            int rank;
            try {
                dataset = Dataset.byName(parts[1]);
                rank = parts.length > 2 ? Integer.parseInt(parts[2]) : 32;
            } catch (RuntimeException e) {
                throw new Get4jException("teacher '" + spec + "' is not of the form gmm:mnist[:rank]");
            }
            Path cache = DataHome.resolve().resolve("teachers")
                    .resolve("gmm-" + dataset.dir() + "-r" + rank + ".safetensors");
            if (java.nio.file.Files.isRegularFile(cache)) {
                return GaussianMixtureTeacher.load(manager, cache);
            }
            var data = Datasets.load(dataset, Dataset.Split.TRAIN).padTo(32);
            GaussianMixtureTeacher g = GaussianMixtureTeacher.fit(manager, data, Dataset.CLASSES, rank);
            g.save(cache);
            return GaussianMixtureTeacher.load(manager, cache);
        }
        return load(manager, Path.of(spec));
    }

    /** Images in about [-1, 1] quantised as the reference does: (x * 127.5 + 128).clip(0, 255) to uint8. */
    public static byte[] toBytes(NDArray images) {
        return ImageGrid.quantise(images.toType(DataType.FLOAT32, false).toFloatArray());
    }
}
