package org.get4j.diffusion;

import java.nio.file.Path;
import org.get4j.data.DataHome;

/** The EDM teachers shipped under the data home's teachers/ folder; recipes, FD and checksums in data/README.md. */
public enum ShippedTeacher {
    /** Base 16, 112,609 parameters: fast to sample, FD-LeNet 34. Quick mode and CI. */
    SMALL("edm-mnist-small.safetensors"),
    /** Base 32: the teacher the full-mode notebooks and environment/experiment-mnist distil. */
    MNIST("edm-mnist.safetensors"),
    /** edm-mnist warm-started with a class table and fine-tuned on labelled MNIST (PAIRS=10000 GUIDANCE=1.5 CLASSES=10 experiment-mnist). */
    CONDITIONAL("edm-mnist-conditional.safetensors");

    private final String file;

    ShippedTeacher(String file) {
        this.file = file;
    }

    /** The file's name without its extension: edm-mnist-small, edm-mnist. */
    @Override
    public String toString() {
        return file.substring(0, file.indexOf('.'));
    }

    public Path path() {
        return DataHome.resolve().resolve("teachers").resolve(file);
    }
}
