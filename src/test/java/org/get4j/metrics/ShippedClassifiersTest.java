package org.get4j.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import org.get4j.data.DataHome;
import org.get4j.data.Dataset;
import org.get4j.data.Datasets;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The LeNet weights shipped under data/classifiers meet their accuracy targets on the real test sets. */
class ShippedClassifiersTest {
    @ParameterizedTest
    @CsvSource({"lenet-mnist, MNIST, 0.99", "lenet-fashion-mnist, FASHION_MNIST, 0.90"})
    void shippedClassifierMeetsItsTarget(String file, Dataset dataset, double target) {
        Path home = DataHome.resolve();
        Path weights = home.resolve("classifiers").resolve(file + ".safetensors");
        assertTrue(Files.isRegularFile(weights), "shipped classifier " + weights + " is missing");
        assumeTrue(Datasets.isComplete(home, dataset), dataset + " not fetched");
        try (NDManager m = TorchRuntime.newManager()) {
            LeNet net = LeNet.load(m, weights);
            double accuracy = ClassifierTraining.accuracy(net, Datasets.load(home, dataset, Dataset.Split.TEST)
                    .padTo(LeNet.SIZE), Dataset.CLASSES);
            assertTrue(accuracy >= target, file + ": test accuracy " + accuracy + " < " + target);
        }
    }
}
