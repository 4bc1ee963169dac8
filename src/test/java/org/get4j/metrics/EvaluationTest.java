package org.get4j.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Map;
import org.get4j.io.HostTensor;
import org.get4j.io.TorchFile;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;

class EvaluationTest {
    /** A fake classifier whose probabilities are given rows. */
    private static FeatureExtractor fixed(double[][] rows) {
        return new FeatureExtractor() {
            @Override
            public NDArray features(NDArray images) {
                return images.reshape(images.getShape().get(0), -1);
            }

            @Override
            public int dim() {
                return 1;
            }

            @Override
            public String metricName() {
                return "test";
            }

            @Override
            public boolean classifies() {
                return true;
            }

            @Override
            public NDArray probabilities(NDArray images) {
                long[] idx = images.reshape(-1).toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
                double[] flat = new double[idx.length * rows[0].length];
                for (int i = 0; i < idx.length; i++) {
                    System.arraycopy(rows[(int) idx[i]], 0, flat, i * rows[0].length, rows[0].length);
                }
                return images.getManager().create(flat, new Shape(idx.length, rows[0].length));
            }
        };
    }

    private static Evaluation.ImageSource indices(int n) {
        return new Evaluation.ImageSource() {
            @Override
            public long size() {
                return n;
            }

            @Override
            public NDArray batch(NDManager m, long from, long to) {
                float[] v = new float[(int) (to - from)];
                for (int i = 0; i < v.length; i++) {
                    v[i] = from + i;
                }
                return m.create(v, new Shape(v.length, 1, 1, 1));
            }
        };
    }

    @Test
    void classifierScoreClosedForms() {
        // confident and balanced over 4 classes: exp(log 4) = 4; always the same class: 1
        double[][] confident = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
        assertEquals(4.0, Evaluation.classifierScore(fixed(confident), indices(4), 3), 1e-12);
        double[][] same = {{0.7, 0.3}, {0.7, 0.3}};
        assertEquals(1.0, Evaluation.classifierScore(fixed(same), indices(2), 1), 1e-12);
    }

    /**
     * One pass of the shipped LeNet (features and probabilities together) gives what separate passes give: the same
     * feature statistics, and probabilities equal to the classifier's own forward pass (logits, softmax).
     */
    @Test
    void oneReadingGivesTheFeaturesAndTheClassifiersProbabilities() {
        try (NDManager m = TorchRuntime.newManager()) {
            Path file = FeatureExtractor.shippedClassifier("lenet-mnist");
            FeatureExtractor fx = FeatureExtractor.lenet(m, file, "LeNet-MNIST");
            m.getEngine().setRandomSeed(5);
            float[] pixels = m.randomUniform(-1, 1, new Shape(300, 1, 32, 32)).toFloatArray();
            Evaluation.ImageSource images = Evaluation.ImageSource.of(300, (mm, from, to) -> mm.create(
                    java.util.Arrays.copyOfRange(pixels, (int) from * 1024, (int) to * 1024), new Shape(to - from, 1, 32, 32)));
            Evaluation.Reading read = Evaluation.read(fx, images, 128);
            FeatureStatistics separate = Evaluation.statistics(fx, images, 128);
            assertArrayEquals(separate.mean(), read.features().statistics().mean(), 1e-9);
            assertArrayEquals(separate.covariance(), read.features().statistics().covariance(), 1e-9);
            LeNet net = LeNet.load(m, file);
            float[] probs = net.forward(new ai.djl.training.ParameterStore(m, false),
                    new ai.djl.ndarray.NDList(m.create(pixels, new Shape(300, 1, 32, 32))), false)
                    .singletonOrThrow().softmax(1).toFloatArray();
            for (int i = 0; i < 300; i++) {
                for (int c = 0; c < 10; c++) {
                    assertEquals(probs[i * 10 + c], read.probabilities()[i][c], 1e-6, "image " + i + " class " + c);
                }
            }
            assertEquals(Evaluation.classifierScore(fx, images, 100), Evaluation.classifierScore(read.probabilities()),
                    1e-9);
        }
    }

    @Test
    void fidelityClosedForm() {
        Evaluation.Fidelity f = Evaluation.fidelity(new float[] {0.5f, -0.5f}, new float[] {0.25f, -0.25f});
        assertEquals(0.25, f.l1(), 1e-7);
        assertEquals(10 * Math.log10(4 / 0.0625), f.psnr(), 1e-6);
    }

    @Test
    void inceptionStyleTorchScriptFeaturesMatchTheModule() throws Exception {
        Path dir = Path.of(EvaluationTest.class.getResource("/fixtures/torchscript").toURI());
        Map<?, ?> io = (Map<?, ?>) TorchFile.load(dir.resolve("tiny_inception_io.pt"));
        try (NDManager m = TorchRuntime.newManager()) {
            FeatureExtractor fx = FeatureExtractor.inception(m, dir.resolve("tiny_inception.pt"));
            NDArray images = ((HostTensor) io.get("images")).toNDArray(m);
            assertArrayEquals(((HostTensor) io.get("features")).toFloatArray(), fx.features(images).toFloatArray(), 1e-6f);
            assertEquals("FID", fx.metricName());
            // without return_features the stand-in returns softmax probabilities: the Inception Score's input
            float[] p = fx.probabilities(images).toFloatArray();
            assertEquals(3 * 8, p.length);
            assertEquals(1.0, p[0] + p[1] + p[2] + p[3] + p[4] + p[5] + p[6] + p[7], 1e-5);
        }
    }
}
