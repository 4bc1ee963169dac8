package org.get4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.get4j.diffusion.Denoiser;
import org.get4j.diffusion.EdmSampler;
import org.get4j.diffusion.GaussianMixtureTeacher;
import org.get4j.diffusion.SamplerConfig;

/** Pairs per second of a teacher under the EDM sampler, and the share of time spent outside the network. */
public final class PairBenchmark {
    /** One measurement. */
    public record Row(String teacher, int pairs, int batch, int evaluations, double seconds, double secondsInNetwork) {
        public double pairsPerSecond() {
            return pairs / seconds;
        }

        public double outsideShare() {
            return (seconds - secondsInNetwork) / seconds;
        }
    }

    private PairBenchmark() {}

    /** A denoiser that measures the time spent inside it (waiting for each result). */
    private static final class Timed implements Denoiser {
        private final Denoiser inner;
        long nanos;

        Timed(Denoiser inner) {
            this.inner = inner;
        }

        @Override
        public NDArray denoise(NDArray x, NDArray sigma, NDArray labels) {
            long t0 = System.nanoTime();
            NDArray out = inner.denoise(x, sigma, labels);
            out.toByteBuffer(); // wait for the result (matters on a GPU)
            nanos += System.nanoTime() - t0;
            return out;
        }

        @Override
        public int channels() {
            return inner.channels();
        }

        @Override
        public int imageSize() {
            return inner.imageSize();
        }

        @Override
        public int numClasses() {
            return inner.numClasses();
        }

        @Override
        public String identity() {
            return inner.identity();
        }
    }

    public static Row run(NDManager manager, String name, Denoiser teacher, SamplerConfig sampler, int pairs, int batch) {
        Timed timed = new Timed(teacher);
        EdmSampler edm = new EdmSampler(sampler);
        long start = 0;
        for (int pass = 0; pass < 2; pass++) { // pass 0 warms up on one batch
            timed.nanos = 0;
            start = System.nanoTime();
            int total = pass == 0 ? Math.min(batch, pairs) : pairs;
            for (int done = 0; done < total; done += batch) {
                int n = Math.min(batch, total - done);
                try (NDManager m = manager.newSubManager()) {
                    NDArray noise = m.randomNormal(new Shape(n, teacher.channels(), teacher.imageSize(), teacher.imageSize()));
                    NDArray labels = teacher.numClasses() > 0 && !(teacher instanceof GaussianMixtureTeacher)
                            ? m.zeros(new Shape(n), ai.djl.ndarray.types.DataType.INT64) : null;
                    edm.sample(timed, noise, labels).toByteBuffer();
                }
            }
        }
        return new Row(name, pairs, batch, sampler.evaluations(), (System.nanoTime() - start) / 1e9, timed.nanos / 1e9);
    }

    public static String markdown(java.util.List<Row> rows) {
        StringBuilder sb = new StringBuilder("| teacher | pairs | batch | evaluations/pair | pairs/s | time outside the network |\n");
        sb.append("|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append(String.format("| %s | %d | %d | %d | %.2f | %.1f%% |%n", r.teacher(), r.pairs(), r.batch(),
                    r.evaluations(), r.pairsPerSecond(), 100 * r.outsideShare()));
        }
        return sb.toString();
    }
}
