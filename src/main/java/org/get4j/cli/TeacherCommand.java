package org.get4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;
import org.get4j.InvalidValueException;
import org.get4j.data.Dataset;
import org.get4j.data.Datasets;
import org.get4j.data.ImageGrid;
import org.get4j.data.ImageSet;
import org.get4j.diffusion.Denoiser;
import org.get4j.diffusion.EdmSampler;
import org.get4j.diffusion.EdmTeacher;
import org.get4j.diffusion.GaussianMixtureTeacher;
import org.get4j.diffusion.SamplerConfig;
import org.get4j.diffusion.TeacherTraining;
import org.get4j.diffusion.Teachers;
import org.get4j.io.HostTensor;
import org.get4j.io.Npy;
import org.get4j.metrics.LeNet;
import org.get4j.metrics.Scoring;
import org.get4j.metrics.TeacherQuality;
import org.get4j.optim.TrainingRun;
import org.get4j.pairs.SeededNoise;
import org.get4j.runtime.TorchRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code get4j teacher train|sample}. */
@Command(name = "teacher", mixinStandardHelpOptions = true, description = "Train or sample a diffusion teacher.",
        subcommands = {TeacherCommand.Train.class, TeacherCommand.Sample.class, TeacherCommand.Eval.class})
final class TeacherCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw Main.missingCommand(spec);
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Train a neural EDM teacher (U-Net, EDM preconditioning and loss, EMA) on MNIST or Fashion-MNIST.")
    static final class Train implements Runnable {
        @Spec
        CommandSpec spec;
        @Option(names = "--dataset", defaultValue = "mnist",
                description = "mnist or fashion-mnist (default: ${DEFAULT-VALUE}).")
        String dataset;
        @Option(names = "--steps", defaultValue = "20000",
                description = "Training steps (default: ${DEFAULT-VALUE}).") int steps;
        @Option(names = "--batch", defaultValue = "64",
                description = "Images per step (default: ${DEFAULT-VALUE}).") int batch;
        @Option(names = "--lr", defaultValue = "1e-3",
                description = "AdamW learning rate after the warm-up (default: ${DEFAULT-VALUE}).") double lr;
        @Option(names = "--warmup", defaultValue = "500",
                description = "Linear learning-rate warm-up steps (default: ${DEFAULT-VALUE}).") int warmup;
        @Option(names = "--ema", defaultValue = "0.999",
                description = "EMA decay of the weights; the EMA is the teacher written (default: ${DEFAULT-VALUE}).")
        double ema;
        @Option(names = "--base", defaultValue = "32", description = "U-Net base channels (default: ${DEFAULT-VALUE}).")
        int base;
        @Option(names = "--classes", defaultValue = "0", description = "10 for a class-conditional teacher.")
        int classes;
        @Option(names = "--class-lr-scale", defaultValue = "1", paramLabel = "F", description = "The class embedding "
                + "table's learning rate is F times --lr (default: ${DEFAULT-VALUE}).") double classLrScale;
        @Option(names = "--p-mean", defaultValue = "-1.2", description = "Mean of ln sigma, the training noise "
                + "levels (EDM's P_mean; default: ${DEFAULT-VALUE}).") double pMean;
        @Option(names = "--p-std", defaultValue = "1.2", description = "Standard deviation of ln sigma (EDM's P_std; "
                + "default: ${DEFAULT-VALUE}).") double pStd;
        @Option(names = "--warm-start", paramLabel = "FILE", description = "Start from this teacher's weights (same "
                + "U-Net; e.g. a conditional teacher from the unconditional edm-mnist: its class embedding starts at "
                + "zero, so step 0 denoises as FILE does for every label).") Path warmStart;
        @Option(names = "--seed", defaultValue = "0",
                description = "Seed of the initialisation, batches and noise levels (default: ${DEFAULT-VALUE}).")
        long seed;
        @Option(names = "--checkpoint-every", defaultValue = "1000",
                description = "Steps between checkpoints (default: ${DEFAULT-VALUE}).") int checkpointEvery;
        @Option(names = "--out", required = true, paramLabel = "DIR",
                description = "The run folder: checkpoint, teacher, metrics and run record.") Path out;
        @Option(names = "--resume", description = "Continue from DIR/checkpoint.safetensors (from step 0 when there "
                + "is none); settings that differ from the checkpoint's are refused unless --allow-changes.")
        boolean resume;
        @Option(names = "--allow-changes", description = "With --resume: accept settings that differ from the "
                + "checkpoint's.") boolean allowChanges;
        @Option(names = "--overwrite", description = "Replace the run DIR holds. Without it, or --resume, a folder "
                + "that holds a run is refused.") boolean overwrite;

        @Override
        public void run() {
            Dataset d;
            EdmTeacher.Config config;
            TeacherTraining.Settings settings;
            try {
                d = Dataset.byName(dataset);
                config = new EdmTeacher.Config(1, 32, base, classes);
                settings = new TeacherTraining.Settings(steps, batch, lr, warmup, ema, checkpointEvery, seed, 50,
                        classLrScale, pMean, pStd);
            } catch (InvalidValueException e) {
                throw Flags.usageError(spec, e);
            } catch (RuntimeException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            ImageSet data = Datasets.load(d, Dataset.Split.TRAIN).padTo(32);
            TrainingRun.Start start = TrainCommand.start(spec, resume, allowChanges, overwrite);
            TeacherTraining training = new TeacherTraining(config, settings, data, out, warmStart);
            TrainCommand.sayWhereResumeStarts(training, start, steps, spec.commandLine().getErr());
            PrintWriter w = spec.commandLine().getOut();
            try (NDManager m = TorchRuntime.newManager();
                    ProgressBar bar = Bars.of("teacher", steps, training.startStep(start), "", spec.commandLine().getErr())) {
                training.run(m, start, log -> {
                    bar.stepTo(log.step());
                    bar.setExtraMessage(String.format(" loss %.4f, %.0f img/s", log.loss(), log.imagesPerSecond()));
                });
            }
            w.printf("teacher written to %s (log: %s)%n", training.teacherFile(), training.metricsFile());
            w.flush();
        }
    }

    @Command(name = "sample", mixinStandardHelpOptions = true,
            description = "Sample a teacher with the EDM sampler and write an image grid (PNG).")
    static final class Sample implements Runnable {
        @Spec
        CommandSpec spec;
        @Option(names = "--teacher", required = true, paramLabel = "FILE|gmm:mnist",
                description = "A teacher file (.safetensors or TorchScript .pt) or the closed-form gmm:mnist.")
        String teacher;
        @Option(names = "--n", defaultValue = "64",
                description = "Images in the grid (default: ${DEFAULT-VALUE}).") int n;
        @Option(names = "--steps", defaultValue = "18", description = "Sampler steps N (2N-1 evaluations).") int steps;
        @Option(names = "--seed", defaultValue = "0",
                description = "Seed of the first noise (default: ${DEFAULT-VALUE}).") long seed;
        @Option(names = "--out", required = true, paramLabel = "GRID.png",
                description = "The grid picture to write.") Path out;
        @Option(names = "--npy", paramLabel = "FILE", description = "Also write all samples (N, C, H, W) float32 (and "
                + "for a conditional teacher the class of each, one per line, to FILE's name with .labels.txt).")
        Path npy;
        @Option(names = "--batch", defaultValue = "64", description = "Images per sampler batch (default: "
                + "${DEFAULT-VALUE}; larger batches sample slower on CPU).") int batch;
        @picocli.CommandLine.Mixin
        GuidanceOptions guidance;

        @Override
        public void run() {
            Flags.atLeast(spec, "--n", n, 1);
            guidance.check(spec);
            Flags.atLeast(spec, "--batch", batch, 1);
            Flags.atLeast(spec, "--steps", steps, 1);
            try (NDManager m = TorchRuntime.newManager()) {
                Denoiser t = guidance.apply(spec, m, Teachers.resolve(m, teacher));
                int px = t.channels() * t.imageSize() * t.imageSize();
                float[] all = new float[n * px];
                boolean byClass = t.numClasses() > 0 && !(t instanceof GaussianMixtureTeacher); // the mixture: all classes
                long[] drawnFor = new long[byClass ? n : 0];
                EdmSampler sampler = new EdmSampler(SamplerConfig.reference().withSteps(steps));
                for (int b = 0; b < n; b += batch) {
                    int k = Math.min(batch, n - b);
                    try (NDManager sub = m.newSubManager()) {
                        float[] noise = SeededNoise.noise(seed + b, k, px);
                        long[] labels = byClass ? SeededNoise.labels(seed + b, k, t.numClasses()) : null;
                        if (labels != null) {
                            System.arraycopy(labels, 0, drawnFor, b, k);
                        }
                        NDArray e = sub.create(noise, new Shape(k, t.channels(), t.imageSize(), t.imageSize()));
                        float[] x = sampler.sample(t, e, labels == null ? null : sub.create(labels))
                                .toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
                        System.arraycopy(x, 0, all, b * px, k * px);
                    }
                }
                int shown = Math.min(n, 64);
                byte[] bytes = ImageGrid.quantise(java.util.Arrays.copyOf(all, shown * px));
                ImageGrid.writePng(ImageGrid.of(bytes, shown, t.channels(), t.imageSize(), t.imageSize(),
                        (int) Math.ceil(Math.sqrt(shown)), 2), out);
                if (npy != null) {
                    Npy.write(npy, HostTensor.ofFloats(all, n, t.channels(), t.imageSize(),
                            t.imageSize()));
                    Path labelFile = labelsBeside(npy);
                    if (drawnFor.length > 0) { // which class each sample was drawn for, in the order of the .npy
                        org.get4j.io.RunFiles.writeText(labelFile, java.util.Arrays.stream(drawnFor)
                                .mapToObj(Long::toString).collect(java.util.stream.Collectors.joining("\n", "", "\n")));
                    } else {
                        java.nio.file.Files.deleteIfExists(labelFile); // not left over from a conditional teacher
                    }
                }
                spec.commandLine().getOut().printf("wrote %s%n", out);
                spec.commandLine().getOut().flush();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** samples.npy -> samples.labels.txt: the classes a conditional teacher's samples were drawn for. */
    static Path labelsBeside(Path npy) {
        String name = npy.getFileName().toString();
        return npy.resolveSibling((name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name) + ".labels.txt");
    }

    @Command(name = "eval", mixinStandardHelpOptions = true,
            description = "A teacher's FD-LeNet against the test split for each number of sampler steps (its cost "
                    + "curve: 2N-1 evaluations per image), beside the real-versus-real floor at the same sample count.")
    static final class Eval implements Runnable {
        @Spec
        CommandSpec spec;
        @Option(names = "--teacher", required = true, paramLabel = "FILE",
                description = "A teacher file (.safetensors or TorchScript .pt).") String teacher;
        @Option(names = "--dataset", defaultValue = "mnist",
                description = "mnist or fashion-mnist: the test split and LeNet to score with (default: ${DEFAULT-VALUE}).")
        String dataset;
        @Option(names = "--n", defaultValue = "2000",
                description = "Samples per point, seeds 0..n-1 (default: ${DEFAULT-VALUE}).") int n;
        @Option(names = "--steps", split = ",", defaultValue = "18",
                description = "Sampler steps N, comma-separated (default: ${DEFAULT-VALUE}, 35 evaluations).")
        List<Integer> steps;
        @Option(names = "--batch", defaultValue = "64", description = "Images per sampler batch (default: "
                + "${DEFAULT-VALUE}; larger batches sample slower on CPU).") int batch;

        @Override
        public void run() {
            Flags.atLeast(spec, "--n", n, 2);
            Flags.atLeast(spec, "--batch", batch, 1);
            for (int k : steps) {
                Flags.atLeast(spec, "--steps", k, 1);
            }
            Dataset d = Flags.dataset(spec, dataset);
            PrintWriter w = spec.commandLine().getOut();
            try (NDManager m = TorchRuntime.newManager()) {
                Denoiser t = Teachers.resolve(m, teacher);
                w.printf("%s: %d samples per point, seeds 0-%d, against %s test%n", t.identity(), n, n - 1,
                        d.name().toLowerCase(java.util.Locale.ROOT));
                w.flush();
                Scoring scoring = Scoring.lenet(m, d);
                ProgressBar[] bar = {null};
                TeacherQuality.Report report = TeacherQuality.report(scoring, t,
                        steps.stream().mapToInt(Integer::intValue).toArray(), n, batch, new TeacherQuality.Listener() {
                            @Override
                            public void point(TeacherQuality.Point p) {
                                if (bar[0] != null) {
                                    bar[0].close();
                                    bar[0] = null;
                                }
                                w.printf("steps %3d  evaluations %3d  %s %s%s%n", p.steps(), p.evaluations(),
                                        scoring.metric(), p.estimate(),
                                        p.agreement() == null ? "" : "  class agreement " + p.agreement());
                                w.flush();
                            }

                            @Override
                            public void sampled(long done) {
                                if (bar[0] == null) {
                                    bar[0] = Bars.of("samples", n, 0, " images", spec.commandLine().getErr());
                                }
                                bar[0].stepTo(done);
                            }
                        });
                w.printf("floor (%d real training images): %.2f%n", n, report.floor());
            }
        }
    }
}
