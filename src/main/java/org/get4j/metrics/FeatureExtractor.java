package org.get4j.metrics;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import org.get4j.Get4jException;
import org.get4j.data.DataHome;
import org.get4j.io.TorchFile;
import org.get4j.runtime.Torch;
import org.get4j.runtime.TorchRuntime;

/**
 * Images to feature vectors for distances and scores. Two kinds: the LeNet classifiers trained in the project
 * ("FD-LeNet" on their features; never call it FID), and the TF-Inception of the diffusion literature as a
 * user-supplied TorchScript file (the FID network).
 */
public interface FeatureExtractor {
    /** Features (N, D) of images (N, C, H, W) in [-1, 1]. */
    NDArray features(NDArray images);

    int dim();

    /** The metric's honest name: "FD-LeNet-MNIST", "FID" ... */
    String metricName();

    /** Class probabilities (N, K) for the classifier score, or null when the extractor is not a classifier. */
    default NDArray probabilities(NDArray images) {
        return null;
    }

    /**
     * The number of dataset classes {@link #probabilities} distinguishes, for class agreement (0: none; Inception's
     * ImageNet head scores the classifier score but not the agreement of MNIST or CIFAR labels).
     */
    default int classes() {
        return 0;
    }

    /** True when {@link #probabilities} answers. */
    default boolean classifies() {
        return false;
    }

    /** A batch's features and class probabilities (null when not a classifier). */
    record Readout(NDArray features, NDArray probabilities) {}

    /** Features and probabilities of one batch; a classifier overrides it to run its trunk once for both. */
    default Readout readout(NDArray images) {
        return new Readout(features(images), classifies() ? probabilities(images) : null);
    }

    /**
     * An extractor by name: {@code lenet-mnist} or {@code lenet-fashion} (the classifiers shipped under the data
     * home's classifiers/ folder, or the LeNet file given), or {@code inception} (the TorchScript file given).
     */
    static FeatureExtractor named(NDManager manager, String name, Path file) {
        return switch (name) {
            case "lenet-mnist" -> lenet(manager, file != null ? file : shippedClassifier("lenet-mnist"), "LeNet-MNIST");
            case "lenet-fashion", "lenet-fashion-mnist" ->
                    lenet(manager, file != null ? file : shippedClassifier("lenet-fashion-mnist"), "LeNet-Fashion");
            case "inception" -> {
                if (file == null) {
                    throw new Get4jException("--features inception needs the TorchScript file: --inception "
                            + "inception-2015-12-05.pt (not shipped: no Inception weights are reachable here)");
                }
                yield inception(manager, file);
            }
            default -> throw new Get4jException("unknown features '" + name + "' (lenet-mnist, lenet-fashion, inception)");
        };
    }

    /** A classifier shipped under the data home's classifiers/ folder. */
    static Path shippedClassifier(String name) {
        Path file = DataHome.resolve().resolve("classifiers").resolve(name + ".safetensors");
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new Get4jException("classifier " + file + " not found: it ships under data/classifiers; train it "
                    + "with `get4j classifier train --dataset ... --out " + file + "`");
        }
        return file;
    }

    /** A LeNet classifier file. */
    static FeatureExtractor lenet(NDManager manager, Path file, String name) {
        LeNet net = LeNet.load(manager, file);
        return new FeatureExtractor() {
            @Override
            public NDArray features(NDArray images) {
                return net.featuresOf(images);
            }

            @Override
            public int dim() {
                return LeNet.FEATURES;
            }

            @Override
            public String metricName() {
                return "FD-" + name;
            }

            @Override
            public int classes() {
                return net.classes();
            }

            @Override
            public boolean classifies() {
                return true;
            }

            @Override
            public NDArray probabilities(NDArray images) {
                return readout(images).probabilities();
            }

            @Override
            public Readout readout(NDArray images) { // the probabilities are the last layer over the features
                NDArray features = net.featuresOf(images);
                try (Torch.GradMode noGrad = Torch.noGrad()) {
                    return new Readout(features, net.logits(new ai.djl.training.ParameterStore(images.getManager(),
                            false), features, false).softmax(1));
                }
            }
        };
    }

    /** (x * 127.5 + 128) clipped to [0, 255] as uint8, grey repeated to RGB: what the FID Inception takes. */
    private static NDArray quantise(NDArray images) {
        NDArray x = images.toType(DataType.FLOAT32, false).mul(127.5).add(128).floor().clip(0, 255)
                .toType(DataType.UINT8, false);
        return x.getShape().get(1) == 1 ? x.repeat(1, 3) : x;
    }

    /**
     * The FID Inception as TorchScript ({@code inception-2015-12-05.pt}): called on uint8 NCHW RGB images with
     * return_features=True, 2048-d. Images are quantised as the reference does, (x * 127.5 + 128) clipped to
     * [0, 255]; grey images are repeated to three channels.
     */
    static FeatureExtractor inception(NDManager manager, Path file) {
        TorchRuntime.configure();
        TorchFile.verifyArchive(file);
        Model model = Model.newInstance("inception", manager.getDevice(), TorchRuntime.ENGINE);
        try {
            model.load(file);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw new Get4jException(file + " is not a loadable TorchScript Inception: " + e.getMessage(), e);
        }
        return new FeatureExtractor() {
            @Override
            public NDArray features(NDArray images) {
                try (Torch.GradMode noGrad = Torch.noGrad()) {
                    NDArray f = Torch.callScript(model.getBlock(), quantise(images), true);
                    return f.reshape(f.getShape().get(0), -1);
                }
            }

            @Override
            public int dim() {
                return 2048;
            }

            @Override
            public String metricName() {
                return "FID";
            }

            @Override
            public boolean classifies() {
                return true;
            }

            /** The network's own class probabilities (return_features=False): the Inception Score's input. */
            @Override
            public NDArray probabilities(NDArray images) {
                try (Torch.GradMode noGrad = Torch.noGrad()) {
                    NDArray p = Torch.callScript(model.getBlock(), quantise(images), false);
                    return p.reshape(p.getShape().get(0), -1);
                }
            }
        };
    }
}
