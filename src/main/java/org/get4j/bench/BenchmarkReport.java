package org.get4j.bench;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.get4j.diffusion.SamplerConfig;
import org.get4j.diffusion.Teachers;
import org.get4j.io.RunFiles;
import org.get4j.model.ModelConfig;
import org.get4j.runtime.SystemReport;
import org.get4j.runtime.TorchRuntime;
import org.get4j.runtime.Versions;

/**
 * {@code get4j bench}'s report: the machine and its fp32 GEMM peak, each model's training and sampling throughput
 * with peak memory and FLOP utilisation ({@link ModelBenchmark}), the teacher's pair rate beside the students'
 * one-step rate ({@link PairBenchmark}), and where a training step's time goes ({@link StepBreakdown}). Written as
 * PREFIX.md, PREFIX.csv and PREFIX-breakdown.csv.
 */
public record BenchmarkReport(String markdown, String csv, String breakdownCsv) {
    /**
     * What to measure: models by name with their configs and batches, GET's unrolled states per training step (and
     * iterations per sample), the teacher ("none" to skip).
     */
    public record Settings(List<String> models, List<ModelConfig> configs, List<Integer> batches, int unroll,
            int warmup, int repeats, String teacher, int teacherImages, boolean breakdown) {}

    /** Measures everything {@code s} names; {@code progress} gets one line per finished measurement. */
    public static BenchmarkReport measure(NDManager manager, Settings s, Consumer<String> progress) {
        StringBuilder md = new StringBuilder("# get4j benchmark\n\n");
        md.append(String.format("Machine: %s, %d cores; %d threads; device %s; %s%n%n", SystemReport.cpuModel(),
                Runtime.getRuntime().availableProcessors(), TorchRuntime.threads(), TorchRuntime.defaultDevice(),
                Versions.pytorch()));
        if (s.configs().stream().anyMatch(c -> c.arch() == ModelConfig.Arch.GET)) {
            md.append(String.format("GET: %d unrolled states per training step, all supervised; %d fixed-point "
                    + "iterations per sample, the last kept.%n%n", s.unroll(), s.unroll()));
        }
        MatmulPeak.Result peak = MatmulPeak.measure(manager);
        StringBuilder gemm = new StringBuilder("fp32 GEMM (n x n x n, median of 5):");
        for (int i = 0; i < peak.sizes().length; i++) {
            gemm.append(String.format(" n=%d %.1f GFLOP/s;", peak.sizes()[i], peak.gflops()[i]));
        }
        md.append(gemm).append(String.format(" peak %.1f GFLOP/s%n%n", peak.peak()));
        progress.accept(gemm.toString());
        List<ModelBenchmark.Row> rows = new ArrayList<>();
        for (int i = 0; i < s.models().size(); i++) {
            int batch = s.batches().size() == 1 ? s.batches().get(0) : s.batches().get(i);
            rows.add(ModelBenchmark.run(manager, s.models().get(i), s.configs().get(i), s.unroll(), batch,
                    s.warmup(), s.repeats()));
            progress.accept("measured " + s.models().get(i) + " at batch " + batch);
        }
        md.append(ModelBenchmark.markdown(rows, s.repeats(), peak.peak()));
        if (!"none".equals(s.teacher())) {
            PairBenchmark.Row t = PairBenchmark.run(manager, s.teacher(), Teachers.resolve(manager, s.teacher()),
                    SamplerConfig.reference(), s.teacherImages(), Math.min(128, s.teacherImages()));
            md.append(String.format("%nTeacher %s: %.1f images/s at %d evaluations (%.0f%% of the time outside "
                    + "the network).%n", s.teacher(), t.pairsPerSecond(), t.evaluations(), 100 * t.outsideShare()));
            for (ModelBenchmark.Row r : rows) {
                md.append(String.format("- %s one-step sampling: %.1fx the teacher's rate%n", r.model(),
                        r.sampling().median() / t.pairsPerSecond()));
            }
        }
        String breakdownCsv = null;
        if (s.breakdown()) {
            List<StepBreakdown.Result> breakdowns = new ArrayList<>();
            for (int i = 0; i < s.models().size(); i++) {
                breakdowns.add(StepBreakdown.measure(manager, s.models().get(i), s.configs().get(i), s.unroll(),
                        rows.get(i).batch(), s.warmup(), s.repeats()));
                progress.accept("broke down " + s.models().get(i));
            }
            md.append("\n## Where a training step's time goes\n")
                    .append(StepBreakdown.markdown(breakdowns, peak.peak()));
            breakdownCsv = StepBreakdown.csv(breakdowns);
        }
        return new BenchmarkReport(md.toString(), ModelBenchmark.csv(rows, peak.peak()), breakdownCsv);
    }

    /** Writes PREFIX.md, PREFIX.csv and (with a breakdown) PREFIX-breakdown.csv; returns what it wrote. */
    public String write(Path prefix) {
        if (prefix.toAbsolutePath().getParent() != null) {
            RunFiles.ensureDir(prefix.toAbsolutePath().getParent());
        }
        RunFiles.writeText(Path.of(prefix + ".md"), markdown);
        RunFiles.writeText(Path.of(prefix + ".csv"), csv);
        if (breakdownCsv != null) {
            RunFiles.writeText(Path.of(prefix + "-breakdown.csv"), breakdownCsv);
        }
        return prefix + ".md, " + prefix + ".csv" + (breakdownCsv == null ? "" : ", " + prefix + "-breakdown.csv");
    }
}
