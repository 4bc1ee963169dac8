package org.get4j.bench;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.get4j.deq.SolverConfig;
import org.get4j.model.Generator;
import org.get4j.model.ModelConfig;
import org.get4j.runtime.Memory;

/**
 * Throughput of one model: one-step sampling (GET: {@code unroll} fixed-point iterations, the last kept) and the
 * reference training step (GET: {@code unroll} unrolled states with deep supervision, L1, AdamW, EMA; the reference
 * unrolls 6), as medians over repeats after warm-up, with the
 * achieved FLOP/s from the analytic MAC count and the process's peak resident memory.
 */
public final class ModelBenchmark {
    /** Medians (and range) of one measurement, in images per second. */
    public record Throughput(double median, double min, double max) {}

    /** One model's numbers. */
    public record Row(String model, long params, int batch, Throughput sampling, Throughput training,
            double samplingGflops, double trainingGflops, long peakRssMiB, long peakHeapMiB) {}

    private ModelBenchmark() {}

    public static Row run(NDManager manager, String name, ModelConfig config, int unroll, int batch, int warmup,
            int repeats) {
        Memory.resetPeaks();
        try (NDManager m = manager.newSubManager()) {
            TrainingRig rig = new TrainingRig(m, config, batch, unroll, false);
            Throughput s = throughput(batch, Timing.millis(warmup, repeats, k -> {
                try (Generator.Sample sample = rig.model.sample(rig.ps, rig.noise, rig.labels, null,
                        SolverConfig.unrolled(unroll))) {
                    sample.images().toFloatArray();
                }
            }));
            Throughput t = throughput(batch, Timing.millis(warmup, repeats, k -> {
                rig.trainOnBatch();
                rig.ema.update(k);
            }));
            // FLOPs = 2 MACs; a training step is about 3 forward passes (forward, and twice that backward).
            double forwardFlops = 2.0 * config.inferenceMacs(unroll);
            return new Row(name, config.parameterCount(), batch, s, t, forwardFlops * s.median() / 1e9,
                    3 * forwardFlops * t.median() / 1e9, Memory.peakRssMiB(), Memory.peakHeapMiB());
        }
    }

    /** Images per second of runs that took {@code millis} each for {@code batch} images. */
    static Throughput throughput(int batch, double[] millis) {
        double[] rate = java.util.Arrays.stream(millis).map(ms -> batch * 1000 / ms).sorted().toArray();
        return new Throughput(DeqBenchmark.median(rate), rate[0], rate[rate.length - 1]);
    }

    /** The table; model FLOPs utilisation (MFU) is achieved FLOP/s over {@code peakGflops}, the measured GEMM peak. */
    public static String markdown(List<Row> rows, int repeats, double peakGflops) {
        StringBuilder sb = new StringBuilder(String.format("Medians of %d runs after warm-up (min-max in brackets); "
                + "GFLOP/s from the analytic MAC count (training: 3x forward); MFU against the measured fp32 GEMM "
                + "peak of %.1f GFLOP/s; peak memory of each model's runs.%n%n", repeats, peakGflops));
        sb.append("| model | params | batch | sampling img/s | training img/s | sampling GFLOP/s (MFU) "
                + "| training GFLOP/s (MFU) | peak RSS (MiB) | peak heap (MiB) |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append(String.format("| %s | %,d | %d | %.1f [%.1f-%.1f] | %.1f [%.1f-%.1f] | %.1f (%.0f%%) "
                    + "| %.1f (%.0f%%) | %d | %d |%n", r.model(), r.params(), r.batch(), r.sampling().median(),
                    r.sampling().min(), r.sampling().max(), r.training().median(), r.training().min(),
                    r.training().max(), r.samplingGflops(), 100 * r.samplingGflops() / peakGflops,
                    r.trainingGflops(), 100 * r.trainingGflops() / peakGflops, r.peakRssMiB(), r.peakHeapMiB()));
        }
        return sb.toString();
    }

    public static String csv(List<Row> rows, double peakGflops) {
        StringBuilder sb = new StringBuilder("model,params,batch,sampling_img_s,sampling_min,sampling_max,"
                + "training_img_s,training_min,training_max,sampling_gflops,training_gflops,peak_gflops,"
                + "sampling_mfu,training_mfu,peak_rss_mib,peak_heap_mib\n");
        for (Row r : rows) {
            sb.append(String.format("%s,%d,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.4f,%.4f,%d,%d%n",
                    r.model(), r.params(), r.batch(), r.sampling().median(), r.sampling().min(), r.sampling().max(),
                    r.training().median(), r.training().min(), r.training().max(), r.samplingGflops(),
                    r.trainingGflops(), peakGflops, r.samplingGflops() / peakGflops, r.trainingGflops() / peakGflops,
                    r.peakRssMiB(), r.peakHeapMiB()));
        }
        return sb.toString();
    }
}
