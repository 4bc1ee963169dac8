package org.get4j.cli;

import ai.djl.ndarray.NDManager;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.get4j.bench.DeqBenchmark;
import org.get4j.deq.SolverKind;
import org.get4j.deq.StopMode;
import org.get4j.io.AtomicFiles;
import org.get4j.runtime.TorchRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code get4j bench ...}: measurements that print throughput and cost. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks.",
        subcommands = {BenchCommand.Deq.class, BenchCommand.Model.class, BenchCommand.Pairs.class})
final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "deq", mixinStandardHelpOptions = true,
            description = {"Solver cost on a GET-sized equilibrium map (3 GET blocks; default GET-T's, batch 16):",
                    "evaluations and time to reach the tolerance, and the solver's overhead outside f."})
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
        @Option(names = "--max-iter", defaultValue = "40", description = "Most evaluations (default: ${DEFAULT-VALUE}).")
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
                kinds = solvers.stream().map(SolverKind::parse).toList();
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            if (threads != null) {
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
                try {
                    AtomicFiles.write(Path.of(out + ".csv"), DeqBenchmark.csv(rows).getBytes(StandardCharsets.UTF_8));
                    AtomicFiles.write(Path.of(out + ".md"), md.getBytes(StandardCharsets.UTF_8));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("cannot write " + out + ".csv/.md: " + e.getMessage(), e);
                }
            }
        }
    }

    @Command(name = "model", mixinStandardHelpOptions = true,
            description = {"Sampling and training-step throughput of models (default: GET-Mini at batch 128 and",
                    "GET-T at batch 16), with achieved FLOP/s and peak memory."})
    static final class Model implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--model", split = ",", defaultValue = "GET-Mini,GET-T", description = "Presets (default: ${DEFAULT-VALUE}).")
        List<String> models;
        @Option(names = "--batch", split = ",", defaultValue = "128,16",
                description = "Batch per model, or one for all (default: ${DEFAULT-VALUE}).")
        List<Integer> batches;
        @Option(names = "--warmup", defaultValue = "2") int warmup;
        @Option(names = "--repeats", defaultValue = "5") int repeats;
        @Option(names = "--threads", description = "Intra-op threads (default: all cores).") Integer threads;
        @Option(names = "--out", paramLabel = "PREFIX", description = "Also write PREFIX.md.") Path out;

        @Override
        public void run() {
            if (repeats < 1 || warmup < 0 || batches.stream().anyMatch(b -> b < 1)
                    || (batches.size() != 1 && batches.size() != models.size())) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--repeats >= 1, --warmup >= 0, and one positive --batch or one per --model");
            }
            List<org.get4j.model.ModelConfig> configs;
            try {
                configs = models.stream().map(n -> org.get4j.model.Presets.get(n, 0)).toList();
            } catch (org.get4j.Get4jException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            if (threads != null) {
                TorchRuntime.setThreads(threads);
            }
            PrintWriter w = spec.commandLine().getOut();
            List<org.get4j.bench.ModelBenchmark.Row> rows = new java.util.ArrayList<>();
            try (NDManager manager = TorchRuntime.newManager()) {
                for (int i = 0; i < models.size(); i++) {
                    int batch = batches.size() == 1 ? batches.get(0) : batches.get(i);
                    rows.add(org.get4j.bench.ModelBenchmark.run(manager, models.get(i), configs.get(i), batch, warmup,
                            repeats));
                    w.printf("measured %s%n", models.get(i));
                    w.flush();
                }
            }
            String md = org.get4j.bench.ModelBenchmark.markdown(rows, repeats) + "\nthreads: " + TorchRuntime.threads()
                    + ", device: " + TorchRuntime.defaultDevice() + "\n";
            w.print(md);
            w.flush();
            if (out != null) {
                try {
                    AtomicFiles.write(Path.of(out + ".md"), md.getBytes(StandardCharsets.UTF_8));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("cannot write " + out + ".md: " + e.getMessage(), e);
                }
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
        @Option(names = "--pairs", defaultValue = "256") int pairs;
        @Option(names = "--batch", defaultValue = "128") int batch;
        @Option(names = "--steps", defaultValue = "18") int steps;

        @Override
        public void run() {
            if (pairs < 1 || batch < 1 || steps < 1) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--pairs, --batch, --steps must be positive");
            }
            List<org.get4j.bench.PairBenchmark.Row> rows = new java.util.ArrayList<>();
            try (NDManager m = TorchRuntime.newManager()) {
                for (String t : teachers) {
                    rows.add(org.get4j.bench.PairBenchmark.run(m, t, org.get4j.diffusion.Teachers.resolve(m, t),
                            org.get4j.diffusion.SamplerConfig.reference().withSteps(steps), pairs, batch));
                }
            }
            PrintWriter w = spec.commandLine().getOut();
            w.print(org.get4j.bench.PairBenchmark.markdown(rows));
            w.printf("threads: %d, device: %s%n", TorchRuntime.threads(), TorchRuntime.defaultDevice());
            w.flush();
        }
    }
}
