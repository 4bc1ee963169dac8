package org.get4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.get4j.diffusion.GaussianMixtureTeacher;
import org.get4j.diffusion.SamplerConfig;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;

class TeacherQualityTest {
    /** 4 x 4 average pooling of 16 x 16 images: 16 features, enough to see a sampler's error. */
    private static final FeatureExtractor POOLED = new FeatureExtractor() {
        @Override
        public NDArray features(NDArray images) {
            long n = images.getShape().get(0);
            return images.reshape(n, 4, 4, 4, 4).mean(new int[] {4}).mean(new int[] {2}).reshape(n, 16);
        }

        @Override
        public int dim() {
            return 16;
        }

        @Override
        public String metricName() {
            return "FD-pooled";
        }
    };

    /** Issue 20: FD falls as the sampler gets more steps, toward the statistics of a long-sampled reference. */
    @Test
    void fdFallsWithSamplerStepsAndEachPointIsReported() {
        try (NDManager m = TorchRuntime.newManager(); GaussianMixtureTeacher toy = GaussianMixtureTeacher.toy(m)) {
            FeatureStatistics reference = Evaluation.statistics(POOLED,
                    TeacherQuality.samples(toy, SamplerConfig.reference().withSteps(40), 10_000, 800), 200);
            List<TeacherQuality.Point> heard = new ArrayList<>();
            List<TeacherQuality.Point> curve = TeacherQuality.costCurve(toy, POOLED, reference, new int[] {2, 4, 18},
                    400, 200, heard::add);
            assertEquals(curve, heard);
            assertEquals(List.of(3, 7, 35), curve.stream().map(TeacherQuality.Point::evaluations).toList());
            assertTrue(curve.get(0).fd() > 2 * curve.get(2).fd(), "2 Heun steps are far worse than 18: " + curve);
            assertTrue(curve.get(1).fd() > curve.get(2).fd(), curve.toString());
            FeatureStatistics again = Evaluation.statistics(POOLED,
                    TeacherQuality.samples(toy, SamplerConfig.reference().withSteps(18), 0, 400), 200);
            assertEquals(curve.get(2).fd(), FrechetDistance.between(again, reference), 1e-9, "seeds 0..n-1, again");
        }
    }
}
