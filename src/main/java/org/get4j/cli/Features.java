package org.get4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import org.get4j.Get4jException;
import org.get4j.data.Dataset;
import org.get4j.data.Datasets;
import org.get4j.data.ImageFolders;
import org.get4j.data.ImageSet;
import org.get4j.io.Npy;
import org.get4j.metrics.Evaluation;
import org.get4j.metrics.FeatureExtractor;
import org.get4j.metrics.LeNet;

/** Resolving the command line's feature extractors and image inputs. */
final class Features {
    private Features() {}

    /** lenet-mnist, lenet-fashion (shipped under data/classifiers), or inception (with a TorchScript file). */
    static FeatureExtractor extractor(NDManager m, String name, Path inceptionFile) {
        return FeatureExtractor.named(m, name, inceptionFile);
    }

    /** Whether an input names a dataset split ("mnist:test") rather than a file. */
    static boolean isSplit(String spec) {
        return spec.matches("[a-z-]+:(train|test)");
    }

    /** A dataset split as the feature extractors take it: padded to LeNet's 32 x 32 when smaller. */
    static ImageSet split(Dataset dataset, Dataset.Split split) {
        ImageSet set = Datasets.load(dataset, split);
        return set.height() < LeNet.SIZE ? set.padTo(LeNet.SIZE) : set;
    }

    /**
     * An image input: a dataset split ("mnist:test", "fashion-mnist:train"), an .npy array (N, C, H, W) of floats
     * in [-1, 1] or uint8, or a folder of PNG files. Images are padded to 32 x 32 when smaller.
     */
    static Evaluation.ImageSource images(String spec) {
        if (isSplit(spec)) {
            String[] p = spec.split(":");
            return Evaluation.ImageSource.of(split(Dataset.byName(p[0]), Dataset.Split.valueOf(p[1].toUpperCase())));
        }
        Path path = Path.of(spec);
        if (Files.isDirectory(path)) {
            return pngFolder(path);
        }
        if (!Files.isRegularFile(path)) {
            throw new Get4jException("image input " + spec + " is neither a dataset (mnist:test), an .npy file nor a folder");
        }
        return Evaluation.ImageSource.of(Npy.read(path), path.toString());
    }

    private static Evaluation.ImageSource pngFolder(Path dir) {
        ImageSet set = ImageFolders.read(dir);
        return Evaluation.ImageSource.of(set.height() < LeNet.SIZE ? set.padTo(LeNet.SIZE) : set);
    }
}
