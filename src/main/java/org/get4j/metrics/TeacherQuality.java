package org.get4j.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.get4j.diffusion.Denoiser;
import org.get4j.diffusion.EdmSampler;
import org.get4j.diffusion.SamplerConfig;
import org.get4j.pairs.SeededNoise;

/**
 * A teacher's sample quality as a function of its sampling cost: FD of n samples (seeds first, first + 1, ...)
 * against reference statistics, for several numbers of EDM sampler steps. This is the curve that one-step
 * distillation is meant to beat: the teacher pays 2N - 1 network evaluations (Heun) per image. A class-conditional
 * teacher draws each sample for its seed's label ({@link SeededNoise#label}, balanced over classes), and each point
 * also reports the class agreement of those samples.
 */
public final class TeacherQuality {
    private TeacherQuality() {}

    /**
     * One point of the curve: sampler steps, network evaluations per image, samples, FD (with its interval), and for a
     * conditional teacher the class agreement (null otherwise).
     */
    public record Point(int steps, int evaluations, int samples, FdEstimate estimate, ClassAgreement.Share agreement) {
        public Point(int steps, int evaluations, int samples, FdEstimate estimate) {
            this(steps, evaluations, samples, estimate, null);
        }

        public double fd() {
            return estimate.fd();
        }
    }

    /**
     * The teacher's samples from seeds [first, first + n), drawn batch by batch as the statistics read them; a
     * conditional teacher draws seed i for label {@code SeededNoise.label(i, classes)}.
     */
    public static Evaluation.ImageSource samples(Denoiser teacher, SamplerConfig config, long first, int n) {
        EdmSampler sampler = new EdmSampler(config);
        int c = teacher.channels();
        int s = teacher.imageSize();
        return Evaluation.ImageSource.of(n, (manager, from, to) -> {
            int k = (int) (to - from);
            NDArray noise = manager.create(SeededNoise.noise(first + from, k, c * s * s), new Shape(k, c, s, s));
            NDArray labels = teacher.numClasses() > 0
                    ? manager.create(SeededNoise.labels(first + from, k, teacher.numClasses())) : null;
            return sampler.sample(teacher, noise, labels).toType(DataType.FLOAT32, false);
        });
    }

    /**
     * Hears of a cost curve's progress: each finished point, and (optionally) how many of the current point's n images
     * have been drawn so far, for a progress bar. A lambda {@code p -> ...} is a listener of points only.
     */
    @FunctionalInterface
    public interface Listener {
        void point(Point p);

        default void sampled(long done) {}
    }

    /** FD against {@code reference} for each step count in {@code steps}, each from one pass of the classifier. */
    public static List<Point> costCurve(Denoiser teacher, FeatureExtractor fx, FeatureStatistics reference,
            int[] steps, int n, int batch, Listener listener) {
        List<Point> curve = new ArrayList<>();
        boolean conditional = teacher.numClasses() > 0 && fx.classes() == teacher.numClasses();
        for (int k : steps) {
            SamplerConfig config = SamplerConfig.reference().withSteps(k);
            Evaluation.ImageSource images = samples(teacher, config, 0, n).observed(
                    (from, batchImages) -> listener.sampled(from + batchImages.getShape().get(0)));
            Evaluation.Reading read = Evaluation.read(fx, images, batch);
            ClassAgreement.Share agreement = null;
            if (conditional) {
                ClassAgreement tally = new ClassAgreement(SeededNoise.labels(0, n, teacher.numClasses()),
                        teacher.numClasses());
                tally.count(0, read.probabilities());
                agreement = tally.overall();
            }
            Point p = new Point(k, config.evaluations(teacher), n, read.features().estimate(reference), agreement);
            curve.add(p);
            listener.point(p);
        }
        return curve;
    }

    /** A teacher's cost curve and the real-versus-real floor at the same sample count. */
    public record Report(String teacher, String metric, int samples, double floor, List<Point> curve) {}

    /** The teacher's FD at each step count of {@code steps} under {@code scoring}, and the floor at n. */
    public static Report report(Scoring scoring, Denoiser teacher, int[] steps, int n, int batch, Listener listener) {
        List<Point> curve = costCurve(teacher, scoring.fx(), scoring.reference(), steps, n, batch, listener);
        return new Report(teacher.identity(), scoring.metric(), n, scoring.floor(n), curve);
    }
}
