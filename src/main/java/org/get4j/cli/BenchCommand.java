package org.get4j.cli;

import ai.djl.ndarray.NDManager;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.get4j.Get4jException;
import org.get4j.bench.BenchmarkReport;
import org.get4j.bench.BlockOps;
import org.get4j.bench.MatmulPeak;
import org.get4j.bench.DeqBenchmark;
import org.get4j.bench.PairBenchmark;
import org.get4j.bench.Soak;
import org.get4j.deq.SolverKind;
import org.get4j.deq.StopMode;
import org.get4j.diffusion.SamplerConfig;
import org.get4j.diffusion.Teachers;
import org.get4j.io.RunFiles;
import org.get4j.model.ModelConfig;
import org.get4j.model.Presets;
import org.get4j.runtime.TorchRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code get4j bench ...}: measurements that print throughput and cost. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "The performance report: this machine's fp32 GEMM peak; training-step and one-step sampling "
                + "throughput of each model with FLOP/s, MFU and peak memory; the teacher's 35-evaluation sampling "
                + "rate; where a training step's time goes. Writes PREFIX.md, PREFIX.csv and PREFIX-breakdown.csv. "
                + "Subcommands measure single aspects.",
        subcommands = {BenchCommand.Deq.class, BenchCommand.Pairs.class,
                BenchCommand.SoakRun.class, BenchCommand.Ops.class})
final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", split = ",", defaultValue = "GET-Mini,ViT-Mini,GET-T,GET-Micro",
            description = "Presets (default: ${DEFAULT-VALUE}).")
    List<String> models;
    @Option(names = "--batch", split = ",", defaultValue = "128,128,16,128",
            description = "Batch per model, or one for all (default: ${DEFAULT-VALUE}).")
    List<Integer> batches;
    @Option(names = "--warmup", defaultValue = "2", description = "Untimed runs first (default: ${DEFAULT-VALUE}).")
    int warmup;
    @Option(names = "--repeats", defaultValue = "5", description = "Timed runs (default: ${DEFAULT-VALUE}).")
    int repeats;
    @Option(names = "--unroll", defaultValue = "6", description = "GET: unrolled states per training step, all "
            + "supervised, and fixed-point iterations per sample (default: ${DEFAULT-VALUE}, the reference; "
            + "environment/experiment-mnist's default recipe unrolls 2).")
    int unroll;
    @Option(names = "--threads", description = "Intra-op threads (default: all cores).")
    Integer threads;
    @Option(names = "--teacher", defaultValue = "data/teachers/edm-mnist-small.safetensors",
            description = "Teacher whose 35-evaluation sampling rate is measured, or 'none' (default: ${DEFAULT-VALUE}).")
    String teacher;
    @Option(names = "--teacher-images", defaultValue = "256",
            description = "Teacher samples timed (default: ${DEFAULT-VALUE}).")
    int teacherImages;
    @Option(names = "--no-breakdown", description = "Skip the per-phase breakdown of the training step.")
    boolean noBreakdown;
    @Option(names = "--out", paramLabel = "PREFIX", defaultValue = "runs/bench/bench",
            description = "Output prefix (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public void run() {
        List<ModelConfig> configs = Flags.presets(spec, models);
        Flags.atLeast(spec, "--repeats", repeats, 1);
        Flags.atLeast(spec, "--warmup", warmup, 0);
        Flags.atLeast(spec, "--unroll", unroll, 1);
        Flags.atLeast(spec, "--teacher-images", teacherImages, 1);
        for (int b : batches) {
            Flags.atLeast(spec, "--batch", b, 1);
        }
        if (batches.size() != 1 && batches.size() != models.size()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--batch: give one batch, or one per "
                    + "--model (" + models.size() + "), got " + batches.size());
        }
        if (threads != null) {
            Flags.atLeast(spec, "--threads", threads, 1);
            TorchRuntime.setThreads(threads);
        }
        PrintWriter w = spec.commandLine().getOut();
        try (NDManager manager = TorchRuntime.newManager()) {
            BenchmarkReport report = BenchmarkReport.measure(manager, new BenchmarkReport.Settings(models, configs,
                    batches, unroll, warmup, repeats, teacher, teacherImages, !noBreakdown), line -> {
                        w.println(line);
                        w.flush();
                    });
            w.print(report.markdown());
            w.println("wrote " + report.write(out));
            w.flush();
        }
    }

    @Command(name = "soak", mixinStandardHelpOptions = true,
            description = "A long training run on synthetic batches that reports resident memory as it goes: "
                    + "a leak shows as growth after warm-up.")
    static final class SoakRun implements Runnable {
        @Spec
        CommandSpec spec;
        @Option(names = "--model", defaultValue = "GET-Mini", description = "Preset (default: ${DEFAULT-VALUE}).")
        String model;
        @Option(names = "--batch", defaultValue = "16", description = "Batch (default: ${DEFAULT-VALUE}).")
        int batch;
        @Option(names = "--steps", defaultValue = "2000", description = "Training steps (default: ${DEFAULT-VALUE}).")
        int steps;
        @Option(names = "--every", defaultValue = "100",
                description = "Steps between readings (default: ${DEFAULT-VALUE}).")
        int every;
        @Option(names = "--out", paramLabel = "FILE.csv", description = "Also write the readings as CSV.")
        Path out;

        @Override
        public void run() {
            if (batch < 1 || every < 1 || steps < every) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--batch and --every must be positive and --steps at least --every");
            }
            ModelConfig config;
            try {
                config = Presets.get(model, 0);
            } catch (Get4jException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            PrintWriter w = spec.commandLine().getOut();
            w.println("step,rss_mib,heap_used_mib,images_per_second");
            w.flush();
            Soak.Result r;
            try (NDManager manager = TorchRuntime.newManager()) {
                r = Soak.run(manager, model, config, batch, steps, every, s -> {
                    w.printf("%d,%d,%d,%.1f%n", s.step(), s.rssMiB(), s.heapUsedMiB(), s.imagesPerSecond());
                    w.flush();
                });
            }
            Soak.Sample first = r.warm();
            Soak.Sample last = r.samples().get(r.samples().size() - 1);
            w.printf("%s batch %d: resident memory %d MiB after warm-up (step %d), %d MiB after step %d (growth %+d MiB)%n",
                    model, batch, first.rssMiB(), first.step(), last.rssMiB(), last.step(), r.growthMiB());
            w.flush();
            if (out != null) {
                StringBuilder csv = new StringBuilder("step,rss_mib,heap_used_mib,images_per_second\n");
                r.samples().forEach(s -> csv.append(String.format("%d,%d,%d,%.2f%n", s.step(), s.rssMiB(),
                        s.heapUsedMiB(), s.imagesPerSecond())));
                RunFiles.writeText(out, csv.toString());
            }
        }
    }

    @Command(name = "deq", mixinStandardHelpOptions = true,
            description = "Solver cost on a GET-sized equilibrium map (3 GET blocks; default GET-T's, batch 16): "
                    + "evaluations and time to reach the tolerance, and the solver's overhead outside f.")
    static final class Deq implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--width", defaultValue = "256", description = "Token width D (default: ${DEFAULT-VALUE}).")
        int width;
        @Option(names = "--heads", defaultValue = "4", description = "Attention heads (default: ${DEFAULT-VALUE}).")
        int heads;
        @Option(names = "--mlp-ratio", defaultValue = "6", description = "MLP ratio r (default: ${DEFAULT-VALUE}).")
        double mlpRatio;
        @Option(names = "--tokens", defaultValue = "256", description = "Tokens N (default: ${DEFAULT-VALUE}).")
        int tokens;
        @Option(names = "--batch", defaultValue = "16", description = "Batch size (default: ${DEFAULT-VALUE}).")
        int batch;
        @Option(names = "--tol", defaultValue = "1e-2", description = "Tolerance (default: ${DEFAULT-VALUE}).")
        double tol;
        @Option(names = "--stop-mode", defaultValue = "rel", description = "abs or rel (default: ${DEFAULT-VALUE}).")
        String stopMode;
        @Option(names = "--max-iter", defaultValue = "40",
                description = "Most evaluations (default: ${DEFAULT-VALUE}).")
        int maxIter;
        @Option(names = "--repeats", defaultValue = "3", description = "Runs per solver (default: ${DEFAULT-VALUE}).")
        int repeats;
        @Option(names = "--solvers", split = ",", defaultValue = "fixed_point,anderson,broyden",
                description = "Solvers to run (default: ${DEFAULT-VALUE}).")
        List<String> solvers;
        @Option(names = "--threads", description = "Intra-op threads (default: all cores).")
        Integer threads;
        @Option(names = "--out", paramLabel = "PREFIX", description = "Also write PREFIX.csv and PREFIX.md.")
        Path out;

        @Override
        public void run() {
            if (width < 1 || heads < 1 || tokens < 1 || batch < 1 || repeats < 1 || maxIter < 1 || width % heads != 0) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--width, --heads, --tokens, --batch, --repeats, --max-iter must be positive and width "
                                + "divisible by heads");
            }
            StopMode mode;
            List<SolverKind> kinds;
            try {
                mode = StopMode.valueOf(stopMode.strip().toUpperCase());
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--stop-mode must be abs or rel, "
                        + "got '" + stopMode + "'");
            }
            try {
                kinds = solvers.stream().map(SolverKind::parse).toList();
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--solvers: " + e.getMessage());
            }
            if (threads != null) {
                Flags.atLeast(spec, "--threads", threads, 1);
                TorchRuntime.setThreads(threads);
            }
            DeqBenchmark.Settings s = new DeqBenchmark.Settings(width, heads, mlpRatio, tokens, 3, batch, tol, mode,
                    maxIter, repeats, 0);
            List<DeqBenchmark.Row> rows;
            try (NDManager manager = TorchRuntime.newManager()) {
                rows = DeqBenchmark.run(manager, s, kinds);
            }
            String md = DeqBenchmark.markdown(s, rows) + "\nthreads: " + TorchRuntime.threads() + ", device: "
                    + TorchRuntime.defaultDevice() + "\n";
            PrintWriter w = spec.commandLine().getOut();
            w.print(md);
            w.flush();
            if (out != null) {
                RunFiles.writeText(Path.of(out + ".csv"), DeqBenchmark.csv(rows));
                RunFiles.writeText(Path.of(out + ".md"), md);
            }
        }
    }

    @Command(name = "pairs", mixinStandardHelpOptions = true,
            description = "Pairs per second of teachers under the EDM sampler (35 evaluations), and time outside the network.")
    static final class Pairs implements Runnable {
        @Spec
        CommandSpec spec;
        @Option(names = "--teacher", split = ",", required = true, paramLabel = "T",
                description = "Teachers: files or gmm:mnist (comma-separated).") List<String> teachers;
        @Option(names = "--pairs", defaultValue = "256",
                description = "Pairs to generate per teacher (default: ${DEFAULT-VALUE}).") int pairs;
        @Option(names = "--batch", defaultValue = "64",
                description = "Pairs per sampler batch (default: ${DEFAULT-VALUE}).") int batch;
        @Option(names = "--steps", defaultValue = "18",
                description = "EDM sampler steps (default: ${DEFAULT-VALUE}, 35 evaluations).") int steps;

        @Override
        public void run() {
            if (pairs < 1 || batch < 1 || steps < 1) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--pairs, --batch, --steps must be positive");
            }
            List<PairBenchmark.Row> rows = new java.util.ArrayList<>();
            try (NDManager m = TorchRuntime.newManager()) {
                for (String t : teachers) {
                    rows.add(PairBenchmark.run(m, t, Teachers.resolve(m, t),
                            SamplerConfig.reference().withSteps(steps), pairs, batch));
                }
            }
            PrintWriter w = spec.commandLine().getOut();
            w.print(PairBenchmark.markdown(rows));
            w.printf("threads: %d, device: %s%n", TorchRuntime.threads(), TorchRuntime.defaultDevice());
            w.flush();
        }
    }

    @Command(name = "ops", mixinStandardHelpOptions = true,
            description = "Where one transformer block's time goes: each operation forward + backward at the model's "
                    + "shapes, its GFLOP/s and share of this machine's fp32 GEMM peak (measured first).")
    static final class Ops implements Runnable {
        @Spec
        CommandSpec spec;
        @Option(names = "--model", split = ",", defaultValue = "GET-Mini",
                description = "Presets (default: ${DEFAULT-VALUE}).") List<String> models;
        @Option(names = "--batch", split = ",", defaultValue = "64,128",
                description = "Batches, each profiled for every model (default: ${DEFAULT-VALUE}).")
        List<Integer> batches;
        @Option(names = "--warmup", defaultValue = "3", description = "Untimed runs (default: ${DEFAULT-VALUE}).")
        int warmup;
        @Option(names = "--repeats", defaultValue = "15", description = "Timed runs (default: ${DEFAULT-VALUE}).")
        int repeats;
        @Option(names = "--out", paramLabel = "FILE.md", description = "Also write the tables here.") Path out;

        @Override
        public void run() {
            Flags.atLeast(spec, "--repeats", repeats, 1);
            Flags.atLeast(spec, "--warmup", warmup, 0);
            batches.forEach(b -> Flags.atLeast(spec, "--batch", b, 1));
            List<ModelConfig> configs = Flags.presets(spec, models);
            PrintWriter w = spec.commandLine().getOut();
            List<BlockOps.Result> results = new java.util.ArrayList<>();
            try (NDManager m = TorchRuntime.newManager()) {
                double peak = MatmulPeak.measure(m).peak();
                for (int i = 0; i < configs.size(); i++) {
                    for (int b : batches) {
                        results.add(BlockOps.measure(m, models.get(i), configs.get(i), b, peak, warmup, repeats));
                    }
                }
            }
            String md = BlockOps.markdown(results)
                    + String.format("%nthreads: %d, device: %s%n", TorchRuntime.threads(), TorchRuntime.defaultDevice());
            w.print(md);
            if (out != null) {
                RunFiles.writeText(out, md);
                w.println("wrote " + out);
            }
            w.flush();
        }
    }
}
