package org.get4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.get4j.Get4jException;
import org.get4j.data.DataHome;
import org.get4j.data.Dataset;
import org.get4j.data.Datasets;
import org.get4j.data.ImageSet;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-class quality on real MNIST images standing in for samples: right labels, then labels shifted by one class. */
class PerClassQualityTest {
    @TempDir
    Path dir;

    @Test
    void realImagesOfTheirClassSitOnTheFloorAndShiftedLabelsDoNot() throws Exception {
        Path home = DataHome.resolve();
        assumeTrue(Datasets.isComplete(home, Dataset.MNIST), "MNIST not fetched");
        try (NDManager m = TorchRuntime.newManager()) {
            ImageSet train = Datasets.load(home, Dataset.MNIST, Dataset.Split.TRAIN).padTo(32).slice(0, 6000);
            ImageSet test = Datasets.load(home, Dataset.MNIST, Dataset.Split.TEST).padTo(32).slice(0, 3000);
            FeatureExtractor fx = FeatureExtractor.lenet(m, home.resolve("classifiers/lenet-mnist.safetensors"),
                    "LeNet-MNIST");
            // "samples": 2,000 other training images (the last of the slice), labelled with their true class
            ImageSet real = Datasets.load(home, Dataset.MNIST, Dataset.Split.TRAIN).padTo(32).slice(50_000, 52_000);
            long[] labels = new long[real.size()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = real.label(i);
            }
            List<PerClassQuality.Row> right = PerClassQuality.measure(fx, Evaluation.ImageSource.of(real), labels,
                    test, train, 128);
            assertEquals(10, right.size());
            int total = 0;
            for (PerClassQuality.Row r : right) {
                total += (int) r.fd().samples();
                assertEquals(real.classCounts(10)[r.label()], r.fd().samples(), "class " + r.label());
                assertTrue(r.agreement().share() > 0.95, "LeNet agrees with MNIST's own labels: " + r);
                // real images of the class are as far from its test images as other real images of it, the floor
                assertTrue(r.fd().fd() < 2.5 * r.floor() && r.fd().fd() > 0.4 * r.floor(), r.toString());
                assertTrue(r.fd().low() <= r.fd().fd() && r.fd().fd() <= r.fd().high(), r.toString());
            }
            assertEquals(real.size(), total, "every sample counted once");

            long[] shifted = new long[labels.length];
            for (int i = 0; i < labels.length; i++) {
                shifted[i] = (labels[i] + 1) % 10;
            }
            List<PerClassQuality.Row> wrong = PerClassQuality.measure(fx, Evaluation.ImageSource.of(real), shifted,
                    test, train, 128);
            for (int c = 0; c < 10; c++) {
                PerClassQuality.Row w = wrong.get(c);
                assertTrue(w.agreement().share() < 0.05, "the classifier sees the true class: " + w);
                assertTrue(w.fd().low() > 5 * right.get(c).fd().high(), "another class's digits are far: " + w
                        + " against " + right.get(c));
            }

            Path file = dir.resolve("eval-classes.csv");
            PerClassQuality.write(right, file);
            assertEquals(right, PerClassQuality.read(file), "the CSV gives the rows back");
            Files.writeString(file, "label,fd\n1,2\n");
            String message = assertThrows(Get4jException.class, () -> PerClassQuality.read(file)).getMessage();
            assertTrue(message.contains("eval-classes.csv"), message);
            String count = assertThrows(Get4jException.class, () -> PerClassQuality.measure(fx,
                    Evaluation.ImageSource.of(real), new long[3], test, train, 128)).getMessage();
            assertTrue(count.contains("3 labels for 2000 samples"), count);
        }
    }
}
