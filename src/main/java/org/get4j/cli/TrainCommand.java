package org.get4j.cli;

import ai.djl.ndarray.NDManager;
import java.io.PrintWriter;
import java.nio.file.Path;
import me.tongfei.progressbar.ProgressBar;
import org.get4j.Get4jException;
import org.get4j.InvalidValueException;
import org.get4j.deq.SolverKind;
import org.get4j.model.ModelConfig;
import org.get4j.optim.TrainingRun;
import org.get4j.pairs.PairStore;
import org.get4j.runtime.TorchRuntime;
import org.get4j.train.Distillation;
import org.get4j.train.DistillationStep;
import org.get4j.train.TrainConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code get4j train}: distil a student (GET or ViT) from a pair store. The defaults of the recipe's options are
 * read from {@link TrainConfig#reference}, not restated here.
 */
@Command(name = "train", mixinStandardHelpOptions = true, defaultValueProvider = TrainCommand.Reference.class,
        description = "Distil a one-step student from (noise, image) pairs. The defaults are the reference recipe "
                + "(the values below). --resume continues exactly.")
final class TrainCommand implements Runnable {
    /** The reference recipe as option defaults. */
    static final class Reference implements CommandLine.IDefaultValueProvider {
        @Override
        public String defaultValue(CommandLine.Model.ArgSpec arg) {
            if (!(arg instanceof CommandLine.Model.OptionSpec o)) {
                return null;
            }
            TrainConfig r = TrainConfig.reference(1, 1);
            return switch (o.longestName()) {
                case "--batch" -> Integer.toString(TrainConfig.REFERENCE_BATCH);
                case "--lr" -> Double.toString(r.lr());
                case "--warmup" -> Integer.toString(r.warmup());
                case "--weight-decay" -> Double.toString(r.weightDecay());
                case "--ema" -> Double.toString(r.emaDecay());
                case "--unroll" -> Integer.toString(r.unroll());
                case "--free-iterations" -> Integer.toString(r.freeIterations());
                case "--supervise-last" -> Integer.toString(r.supervised());
                case "--gamma" -> Double.toString(r.gamma());
                case "--loss" -> r.distance().name();
                case "--gradient" -> r.gradient().name();
                case "--solver" -> r.forwardSolver().solver().name();
                case "--jacobian" -> Double.toString(r.jacobianWeight());
                case "--checkpoint-every" -> Integer.toString(r.checkpointEvery());
                case "--log-every" -> Integer.toString(r.logEvery());
                case "--seed" -> Long.toString(r.seed());
                default -> null;
            };
        }
    }

    @Spec
    CommandSpec spec;
    @Mixin
    ModelOptions model = new ModelOptions();
    @Option(names = "--pairs", required = true, paramLabel = "DIR",
            description = "The pair store to distil from.") Path pairs;
    @Option(names = "--teacher-id", description = "Refuse pairs not made by this teacher identity.") String teacherId;
    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "The run folder: checkpoint, metrics, run record and cost.") Path out;
    @Option(names = "--steps", required = true,
            description = "Total training steps (a resumed run counts the ones done).") int steps;
    @Option(names = "--batch", description = "Pairs per step (default: ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--lr", description = "AdamW learning rate (default: ${DEFAULT-VALUE}).") double lr;
    @Option(names = "--warmup", description = "Linear learning-rate warm-up steps (default: ${DEFAULT-VALUE}).")
    int warmup;
    @Option(names = "--weight-decay", description = "AdamW weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;
    @Option(names = "--ema", description = "EMA decay of the weights (default: ${DEFAULT-VALUE}).") double ema;
    @Option(names = "--ema-warmup", description = "EMA decay min(d, (1+t)/(10+t)): for short runs.") boolean emaWarmup;
    @Option(names = "--unroll", description = "Unrolled, supervised states of GET (default: ${DEFAULT-VALUE}).")
    int unroll;
    @Option(names = "--free-iterations", description = "Iterations of GET's map before the unrolled ones, without a "
            + "graph: the phantom gradient through the last --unroll of them (default: ${DEFAULT-VALUE}).")
    int freeIterations;
    @Option(names = "--supervise-last", description = "How many of the last unrolled states the loss supervises; 0: "
            + "all (default: ${DEFAULT-VALUE}).") int superviseLast;
    @Option(names = "--gamma", description = "Fixed-point-correction weight base (default: ${DEFAULT-VALUE}).")
    double gamma;
    @Option(names = "--loss", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    DistillationStep.Distance loss;
    @Option(names = "--gradient", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    TrainConfig.Gradient gradient;
    @Option(names = "--solver", description = "Forward and backward solver of the implicit gradient, 30 iterations: "
            + "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}, the reference's).") SolverKind solver;
    @Option(names = "--jacobian", description = "Weight of the Jacobian penalty (default: ${DEFAULT-VALUE}).")
    double jacobian;
    @Option(names = "--checkpoint-every", description = "Steps between checkpoints (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;
    @Option(names = "--log-every", description = "Steps between metrics rows (default: ${DEFAULT-VALUE}).")
    int logEvery;
    @Option(names = "--snapshot-every", paramLabel = "SECONDS", defaultValue = "0", description = "Also keep the "
            + "run's state at every SECONDS of training time in OUT/snapshots/, for FD against training time "
            + "(default: ${DEFAULT-VALUE}, none).") int snapshotEvery;
    @Option(names = "--time-budget", paramLabel = "SECONDS", defaultValue = "0", description = "Stop, with a "
            + "checkpoint, after SECONDS of training time summed over sessions; --steps stays the upper bound "
            + "(default: ${DEFAULT-VALUE}, no limit).") int timeBudget;
    @Option(names = "--seed", description = "Seed of the batches, z0 and initialisation (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--resume", description = "Continue from OUT/checkpoint.safetensors (from step 0 when there is "
            + "none); settings that differ from the checkpoint's are refused unless --allow-changes.") boolean resume;
    @Option(names = "--allow-changes", description = "With --resume: accept settings (batch, lr, loss, ...) that "
            + "differ from the checkpoint's.") boolean allowChanges;
    @Option(names = "--overwrite", description = "Replace the run OUT holds. Without it, or --resume, a folder that "
            + "holds a run is refused.") boolean overwrite;

    /** What to do with a run already in OUT, from --resume, --allow-changes and --overwrite. */
    static TrainingRun.Start start(CommandSpec spec, boolean resume, boolean allowChanges, boolean overwrite) {
        if (overwrite && resume) {
            throw new ParameterException(spec.commandLine(), "--overwrite and --resume exclude each other");
        }
        if (allowChanges && !resume) {
            throw new ParameterException(spec.commandLine(), "--allow-changes goes with --resume");
        }
        return overwrite ? TrainingRun.Start.OVERWRITE : !resume ? TrainingRun.Start.FRESH
                : allowChanges ? TrainingRun.Start.RESUME_WITH_CHANGES : TrainingRun.Start.RESUME;
    }

    /** Says what a resumed run will do when that is not simply "continue": no checkpoint, or nothing left. */
    static void sayWhereResumeStarts(TrainingRun<?, ?> run, TrainingRun.Start start, long steps, PrintWriter err) {
        run.check(start); // refusals first, before anything is printed
        run.threadsNote(start).ifPresent(note -> err.println("note: " + note));
        if (start != TrainingRun.Start.RESUME && start != TrainingRun.Start.RESUME_WITH_CHANGES) {
            return;
        }
        if (!java.nio.file.Files.isRegularFile(run.checkpointFile())) {
            err.printf("no checkpoint in %s: starting at step 0%n", run.checkpointFile().getParent());
        } else if (run.startStep(start) > steps) {
            throw new Get4jException(run.checkpointFile() + " is at step " + run.startStep(start) + ", past --steps "
                    + steps + ": ask for at least that many steps, or start another run");
        } else if (run.startStep(start) == steps) {
            err.printf("%s is already at step %d: nothing left to train%n", run.checkpointFile(), steps);
        }
        err.flush();
    }

    /** The recipe the options describe; unset options are the reference's ({@link Reference}). */
    TrainConfig trainConfig() {
        try {
            TrainConfig reference = TrainConfig.reference(1, 1);
            return reference.toBuilder().steps(steps).batch(batch).lr(lr).warmup(warmup).weightDecay(weightDecay)
                    .emaDecay(ema).emaWarmup(emaWarmup).unroll(unroll).freeIterations(freeIterations)
                    .supervised(superviseLast).gamma(gamma).distance(loss).gradient(gradient)
                    .forwardSolver(reference.forwardSolver().toBuilder().solver(solver).build())
                    .backwardSolver(reference.backwardSolver().toBuilder().solver(solver).build())
                    .jacobianWeight(jacobian).checkpointEvery(checkpointEvery).logEvery(logEvery).seed(seed).build();
        } catch (InvalidValueException e) {
            throw Flags.usageError(spec, e);
        }
    }

    @Override
    public void run() {
        ModelConfig modelConfig = model.config();
        if (modelConfig == null) {
            throw new ParameterException(spec.commandLine(), "name the student: --model NAME (e.g. GET-Mini) or --arch ...");
        }
        TrainConfig config = trainConfig();
        PrintWriter w = spec.commandLine().getOut();
        TrainingRun.Start start = start(spec, resume, allowChanges, overwrite);
        Flags.atLeast(spec, "--snapshot-every", snapshotEvery, 0);
        Flags.atLeast(spec, "--time-budget", timeBudget, 0);
        Distillation d;
        try {
            d = new Distillation(modelConfig, config, PairStore.open(pairs, teacherId), out);
            d.snapshotEvery(snapshotEvery).timeBudget(timeBudget);
        } catch (InvalidValueException e) {
            throw Flags.usageError(spec, e);
        }
        sayWhereResumeStarts(d, start, steps, spec.commandLine().getErr());
        // with a time budget the bar runs over training seconds (summed over sessions), not over --steps
        TrainingRun.Cost before = d.startStep(start) > 0 ? TrainingRun.Cost.read(out) : null;
        long priorSeconds = before == null ? 0 : (long) before.trainSeconds();
        try (NDManager m = TorchRuntime.newManager();
                ProgressBar bar = timeBudget > 0
                        ? Bars.of("train", timeBudget, Math.min(timeBudget, priorSeconds), "s", spec.commandLine().getErr())
                        : Bars.of("train", steps, d.startStep(start), "", spec.commandLine().getErr())) {
            w.printf("training %s (%,d parameters) on %s, device %s%n", modelConfig.arch(), modelConfig.parameterCount(),
                    pairs, m.getDevice());
            w.flush();
            d.run(m, start, log -> {
                bar.stepTo(timeBudget > 0 ? Math.min(timeBudget, priorSeconds + log.elapsedMillis() / 1000) : log.step());
                bar.setExtraMessage(String.format("%s loss %.4f, %.0f img/s", timeBudget > 0 ? " step " + log.step()
                        + "," : "", log.loss(), log.imagesPerSecond()));
                if (log.skipped() > 0) {
                    spec.commandLine().getErr().printf("%nstep %d: %d update(s) since the last log had a non-finite "
                            + "gradient and were skipped (column 'skipped' in %s)%n", log.step(), log.skipped(),
                            d.metricsFile());
                }
            });
        }
        TrainingRun.Cost cost = TrainingRun.Cost.read(out);
        if (timeBudget > 0 && cost != null && cost.steps() < steps) {
            w.printf("time budget of %d s reached at step %d (%.0f s of training)%n", timeBudget, cost.steps(),
                    cost.trainSeconds());
        }
        w.printf("checkpoint %s, metrics %s%n", d.checkpointFile(), d.metricsFile());
        w.flush();
    }
}
