package org.get4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.get4j.data.DataHome;
import org.get4j.data.Dataset;
import org.get4j.data.Datasets;
import org.get4j.diffusion.Denoiser;
import org.get4j.diffusion.EdmSampler;
import org.get4j.diffusion.SamplerConfig;
import org.get4j.diffusion.Teachers;
import org.get4j.pairs.SeededNoise;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;

/** A class-conditional teacher (the closed-form per-class Gaussian mixture) scored for class agreement. */
class ConditionalTeacherQualityTest {
    private static final int N = 200;
    private static final SamplerConfig FAST = SamplerConfig.reference().withSteps(8);

    @Test
    void aConditionalTeacherDrawsEachSeedForItsLabelAndIsScoredForAgreement() {
        assumeTrue(Datasets.isComplete(DataHome.resolve(), Dataset.MNIST), "MNIST not fetched");
        try (NDManager m = TorchRuntime.newManager()) {
            Denoiser gmm = Teachers.resolve(m, "gmm:mnist");
            Scoring scoring = Scoring.lenet(m, Dataset.MNIST);
            TeacherQuality.Report report = TeacherQuality.report(scoring, gmm, new int[] {FAST.steps()}, N, 100,
                    p -> { });
            ClassAgreement.Share agreement = report.curve().get(0).agreement();
            assertNotNull(agreement);
            assertEquals(N, agreement.n());
            assertTrue(agreement.share() > 0.6, "agreement " + agreement);

            // The same samples read against every label shifted by one class: about chance (1 / 10).
            long[] shifted = SeededNoise.labels(0, N, 10);
            for (int i = 0; i < N; i++) {
                shifted[i] = (shifted[i] + 1) % 10;
            }
            ClassAgreement wrong = new ClassAgreement(shifted, 10);
            Evaluation.ImageSource images = TeacherQuality.samples(gmm, FAST, 0, N);
            for (long b = 0; b < N; b += 100) {
                try (NDManager batch = m.newSubManager()) {
                    wrong.count(scoring.fx(), b, images.batch(batch, b, b + 100));
                }
            }
            assertTrue(wrong.overall().share() < 0.3, "shifted labels " + wrong.overall());

            // Same seed and label: the same image; only the label changed: another image.
            EdmSampler sampler = new EdmSampler(FAST);
            NDArray noise = m.create(SeededNoise.noise(5, 1, 32 * 32), new Shape(1, 1, 32, 32));
            NDArray three = sampler.sample(gmm, noise, m.create(new long[] {3}));
            NDArray threeAgain = sampler.sample(gmm, noise, m.create(new long[] {3}));
            NDArray seven = sampler.sample(gmm, noise, m.create(new long[] {7}));
            assertTrue(three.contentEquals(threeAgain));
            assertFalse(three.sub(seven).abs().max().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble() < 0.1,
                    "the label should change the image");
        }
    }
}
