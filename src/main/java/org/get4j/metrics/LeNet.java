package org.get4j.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.get4j.Get4jException;
import org.get4j.io.HostTensor;
import org.get4j.io.SafeTensors;
import org.get4j.nn.Layers;
import org.get4j.nn.XavierUniform;
import org.get4j.runtime.Torch;

/**
 * The LeNet-style classifier whose 128-d penultimate activations are get4j's features for MNIST-like data
 * (FD-LeNet, the classifier score): conv 5x5 (16) - ReLU - max-pool - conv 5x5 (32) - ReLU - max-pool -
 * linear 128 - ReLU (features) - linear 10. Input: 1 x 32 x 32 in [-1, 1] (28 x 28 digits padded).
 */
public final class LeNet extends AbstractBlock {
    public static final int FEATURES = 128;
    public static final int SIZE = 32;
    private final Conv2d conv1;
    private final Conv2d conv2;
    private final Linear fc1;
    private final Linear fc2;
    private final int classes;

    public LeNet(int classes) {
        this.classes = classes;
        conv1 = addChildBlock("conv1", conv(16));
        conv2 = addChildBlock("conv2", conv(32));
        fc1 = addChildBlock("fc1", Layers.linear(FEATURES, true));
        fc2 = addChildBlock("fc2", Layers.linear(classes, true));
    }

    private static Conv2d conv(int filters) {
        Conv2d c = Conv2d.builder().setKernelShape(new Shape(5, 5)).setFilters(filters).build();
        c.setInitializer(new XavierUniform(), Parameter.Type.WEIGHT);
        c.setInitializer(new ConstantInitializer(0), Parameter.Type.BIAS);
        return c;
    }

    /** A new classifier, initialised. */
    /** The classes the network tells apart. */
    public int classes() {
        return classes;
    }

    public static LeNet create(NDManager manager, int classes) {
        LeNet net = new LeNet(classes);
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 1, SIZE, SIZE));
        return net;
    }

    /** Penultimate activations (N, 128). */
    public NDArray features(ParameterStore ps, NDArray x, boolean training) {
        NDArray h = Activation.relu(conv1.forward(ps, new NDList(x), training).singletonOrThrow());
        h = Pool.maxPool2d(h, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
        h = Activation.relu(conv2.forward(ps, new NDList(h), training).singletonOrThrow());
        h = Pool.maxPool2d(h, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
        h = h.reshape(h.getShape().get(0), -1);
        return Activation.relu(fc1.forward(ps, new NDList(h), training).singletonOrThrow());
    }

    public NDArray logits(ParameterStore ps, NDArray features, boolean training) {
        return fc2.forward(ps, new NDList(features), training).singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
        return new NDList(logits(ps, features(ps, inputs.singletonOrThrow(), training), training));
    }

    /** Features of images (N, 1, 32, 32) in [-1, 1], without gradients, in batches. */
    public NDArray featuresOf(NDArray images) {
        checkInput(images);
        try (Torch.GradMode noGrad = Torch.noGrad()) {
            return features(new ParameterStore(images.getManager(), false), images.toType(DataType.FLOAT32, false), false);
        }
    }

    void checkInput(NDArray images) {
        Shape s = images.getShape();
        if (s.dimension() != 4 || s.get(1) != 1 || s.get(2) != SIZE || s.get(3) != SIZE) {
            throw new Get4jException("LeNet features take (N, 1, 32, 32) images in [-1, 1], got " + s);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), classes)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long b = inputShapes[0].get(0);
        conv1.initialize(manager, dataType, inputShapes[0]);
        conv2.initialize(manager, dataType, new Shape(b, 16, 14, 14));
        fc1.initialize(manager, dataType, new Shape(b, 32 * 5 * 5));
        fc2.initialize(manager, dataType, new Shape(b, FEATURES));
    }

    public List<NDArray> parameterArrays() {
        return getParameters().values().stream().map(Parameter::getArray).toList();
    }

    public void save(Path file, Map<String, String> metadata) {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : getParameters()) {
            t.put(p.getKey(), HostTensor.of(p.getValue().getArray()));
        }
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("get4j.classifier", "lenet");
        meta.put("classes", Integer.toString(classes));
        SafeTensors.write(file, t, meta);
    }

    public static LeNet load(NDManager manager, Path file) {
        SafeTensors.Contents c = SafeTensors.read(file);
        if (!"lenet".equals(c.metadata().get("get4j.classifier"))) {
            throw new Get4jException(file + " is not a get4j LeNet classifier");
        }
        LeNet net = create(manager, Integer.parseInt(c.metadata().get("classes")));
        for (Pair<String, Parameter> p : net.getParameters()) {
            HostTensor t = c.tensors().get(p.getKey());
            if (t == null || !t.djlShape().equals(p.getValue().getArray().getShape())) {
                throw new Get4jException(file + ": weight '" + p.getKey() + "' missing or of the wrong shape");
            }
            Torch.assign(p.getValue().getArray(), t.toFloatArray());
        }
        return net;
    }
}
