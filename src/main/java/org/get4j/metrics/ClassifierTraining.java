package org.get4j.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.Random;
import java.util.function.Consumer;
import org.get4j.data.ImageSet;
import org.get4j.optim.AdamW;
import org.get4j.runtime.Torch;
import org.get4j.runtime.TorchRuntime;

/** Trains the LeNet feature extractor: cross-entropy, AdamW, seeded shuffles; reports test accuracy per epoch. */
public final class ClassifierTraining {
    private ClassifierTraining() {}

    /** Accuracy after an epoch. */
    public record Epoch(int epoch, double trainLoss, double testAccuracy) {}

    public static LeNet train(NDManager manager, ImageSet train, ImageSet test, int classes, int epochs, int batch,
            double lr, long seed, Consumer<Epoch> progress) {
        manager.getEngine().setRandomSeed((int) seed);
        LeNet net = LeNet.create(manager, classes);
        AdamW opt = AdamW.withDefaults(net.parameterArrays(), 1e-4);
        ParameterStore ps = new ParameterStore(manager, false);
        Random r = new Random(seed);
        for (int e = 0; e < epochs; e++) {
            int[] order = new int[train.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            for (int i = order.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            double lossSum = 0;
            int batches = 0;
            double rate = lr * 0.5 * (1 + Math.cos(Math.PI * e / epochs)); // cosine decay by epoch
            for (int b = 0; b + batch <= order.length; b += batch) {
                int[] idx = java.util.Arrays.copyOfRange(order, b, b + batch);
                try (NDScope scope = new NDScope(); GradientCollector gc = manager.getEngine().newGradientCollector()) {
                    NDArray x = train.toFloat(manager, idx);
                    long[] y = new long[batch];
                    for (int i = 0; i < batch; i++) {
                        y[i] = train.label(idx[i]);
                    }
                    NDArray logits = net.logits(ps, net.features(ps, x, true), true);
                    NDArray loss = logits.logSoftmax(1).mul(manager.create(y).oneHot(classes)).sum(new int[] {1}).neg().mean();
                    gc.backward(loss);
                    lossSum += loss.getFloat();
                    batches++;
                }
                opt.step(rate);
            }
            progress.accept(new Epoch(e + 1, lossSum / batches, accuracy(net, test, classes)));
        }
        return net;
    }

    /** Top-1 accuracy on a labelled set. */
    public static double accuracy(LeNet net, ImageSet set, int classes) {
        int correct = 0;
        try (Torch.GradMode noGrad = Torch.noGrad()) {
            for (int b = 0; b < set.size(); b += 1000) {
                int end = Math.min(set.size(), b + 1000);
                try (NDManager m = TorchRuntime.newManager()) {
                    NDArray x = set.toFloat(m, b, end);
                    long[] predicted = net.logits(new ParameterStore(m, false), net.featuresOf(x), false)
                            .argMax(1).toLongArray();
                    for (int i = 0; i < predicted.length; i++) {
                        if (predicted[i] == set.label(b + i)) {
                            correct++;
                        }
                    }
                }
            }
        }
        return (double) correct / set.size();
    }
}
