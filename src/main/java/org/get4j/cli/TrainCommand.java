package org.get4j.cli;

import ai.djl.ndarray.NDManager;
import java.io.PrintWriter;
import java.nio.file.Path;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.get4j.deq.SolverConfig;
import org.get4j.deq.SolverKind;
import org.get4j.model.ModelConfig;
import org.get4j.pairs.PairStore;
import org.get4j.runtime.TorchRuntime;
import org.get4j.train.Distillation;
import org.get4j.train.DistillationStep;
import org.get4j.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code get4j train}: distil a student (GET or ViT) from a pair store. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Distil a one-step student from (noise, image) pairs. Defaults follow the reference recipe",
                "(AdamW lr 1e-4, EMA 0.9999, 6 unrolled states weighted 0.8^(6-k), L1). --resume continues exactly."})
final class TrainCommand implements Runnable {
    @Spec
    CommandSpec spec;
    @Mixin
    ModelOptions model = new ModelOptions();
    @Option(names = "--pairs", required = true, paramLabel = "DIR") Path pairs;
    @Option(names = "--teacher-id", description = "Refuse pairs not made by this teacher identity.") String teacherId;
    @Option(names = "--out", required = true, paramLabel = "DIR") Path out;
    @Option(names = "--steps", required = true) int steps;
    @Option(names = "--batch", defaultValue = "128") int batch;
    @Option(names = "--lr", defaultValue = "1e-4") double lr;
    @Option(names = "--warmup", defaultValue = "0", description = "Linear learning-rate warm-up steps.") int warmup;
    @Option(names = "--weight-decay", defaultValue = "0") double weightDecay;
    @Option(names = "--ema", defaultValue = "0.9999") double ema;
    @Option(names = "--ema-warmup", description = "EMA decay min(d, (1+t)/(10+t)): for short runs.") boolean emaWarmup;
    @Option(names = "--unroll", defaultValue = "6", description = "Unrolled, supervised states (GET).") int unroll;
    @Option(names = "--gamma", defaultValue = "0.8", description = "Fixed-point-correction weight base.") double gamma;
    @Option(names = "--loss", defaultValue = "l1", description = "l1 or l2.") String loss;
    @Option(names = "--gradient", defaultValue = "phantom", description = "phantom or implicit.") String gradient;
    @Option(names = "--solver", defaultValue = "anderson", description = "Solver of the implicit mode.") String solver;
    @Option(names = "--jacobian", defaultValue = "0", description = "Weight of the Jacobian penalty.") double jacobian;
    @Option(names = "--checkpoint-every", defaultValue = "1000") int checkpointEvery;
    @Option(names = "--log-every", defaultValue = "50") int logEvery;
    @Option(names = "--seed", defaultValue = "0") long seed;
    @Option(names = "--resume", description = "Continue from OUT/checkpoint.safetensors.") boolean resume;

    @Override
    public void run() {
        ModelConfig modelConfig = model.config();
        if (modelConfig == null) {
            throw new ParameterException(spec.commandLine(), "name the student: --model NAME (e.g. GET-Mini) or --arch ...");
        }
        TrainConfig config;
        try {
            SolverKind kind = SolverKind.parse(solver);
            config = new TrainConfig(steps, batch, lr, warmup, weightDecay, ema, emaWarmup, unroll, gamma,
                    DistillationStep.Distance.valueOf(loss.strip().toUpperCase()),
                    TrainConfig.Gradient.valueOf(gradient.strip().toUpperCase()),
                    SolverConfig.builder().solver(kind).maxIter(30).tol(1e-3).build(),
                    SolverConfig.builder().solver(kind).maxIter(30).tol(1e-4).build(), jacobian, checkpointEvery,
                    logEvery, seed);
        } catch (RuntimeException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter w = spec.commandLine().getOut();
        Distillation d = new Distillation(modelConfig, config, PairStore.open(pairs, teacherId), out);
        try (NDManager m = TorchRuntime.newManager();
                ProgressBar bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(steps)
                        .startsFrom(d.startStep(resume), java.time.Duration.ZERO)
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(2000).showSpeed().build()) {
            w.printf("training %s (%,d parameters) on %s, device %s%n", modelConfig.arch(), modelConfig.parameterCount(),
                    pairs, m.getDevice());
            w.flush();
            d.run(m, resume, log -> {
                bar.stepTo(log.step());
                bar.setExtraMessage(String.format("loss %.4f, %.0f img/s", log.loss(), log.imagesPerSecond()));
                if (log.skipped() > 0) {
                    spec.commandLine().getErr().printf("%nstep %d: %d update(s) since the last log had a non-finite "
                            + "gradient and were skipped (column 'skipped' in %s)%n", log.step(), log.skipped(),
                            d.metricsFile());
                }
            });
        }
        w.printf("checkpoint %s, metrics %s%n", d.checkpointFile(), d.metricsFile());
        w.flush();
    }
}
