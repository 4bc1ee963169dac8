package org.get4j.cli;

import ai.djl.ndarray.NDManager;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import org.get4j.data.Dataset;
import org.get4j.data.Datasets;
import org.get4j.data.ImageSet;
import org.get4j.metrics.ClassifierTraining;
import org.get4j.metrics.LeNet;
import org.get4j.runtime.TorchRuntime;
import org.get4j.runtime.Versions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code get4j classifier train}: the LeNet feature extractor of FD-LeNet and the classifier score. */
@Command(name = "classifier", mixinStandardHelpOptions = true, description = "Train the LeNet feature extractor.",
        subcommands = {ClassifierCommand.Train.class})
final class ClassifierCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw Main.missingCommand(spec);
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Train LeNet on a dataset's training split (padded to 32x32) and report test accuracy.")
    static final class Train implements Runnable {
        @Spec
        CommandSpec spec;
        @Option(names = "--dataset", defaultValue = "mnist",
                description = "Training split: mnist or fashion-mnist (default: ${DEFAULT-VALUE}).") String dataset;
        @Option(names = "--epochs", defaultValue = "4",
                description = "Passes over the training split (default: ${DEFAULT-VALUE}).") int epochs;
        @Option(names = "--batch", defaultValue = "128",
                description = "Images per step (default: ${DEFAULT-VALUE}).") int batch;
        @Option(names = "--lr", defaultValue = "2e-3",
                description = "AdamW learning rate (default: ${DEFAULT-VALUE}).") double lr;
        @Option(names = "--seed", defaultValue = "0",
                description = "Seed of the initialisation and batch order (default: ${DEFAULT-VALUE}).") long seed;
        @Option(names = "--out", required = true, paramLabel = "FILE",
                description = "The classifier weights to write (.safetensors).") Path out;

        @Override
        public void run() {
            Flags.atLeast(spec, "--epochs", epochs, 1);
            Flags.atLeast(spec, "--batch", batch, 1);
            if (!(lr > 0 && Double.isFinite(lr))) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--lr must be a finite number > 0"
                        + ", got " + lr);
            }
            Dataset d = Flags.dataset(spec, dataset);
            ImageSet train = Datasets.load(d, Dataset.Split.TRAIN).padTo(LeNet.SIZE);
            ImageSet test = Datasets.load(d, Dataset.Split.TEST).padTo(LeNet.SIZE);
            PrintWriter w = spec.commandLine().getOut();
            double[] last = new double[1];
            try (NDManager m = TorchRuntime.newManager()) {
                LeNet net = ClassifierTraining.train(m, train, test, Dataset.CLASSES, epochs, batch, lr, seed, e -> {
                    last[0] = e.testAccuracy();
                    w.printf("epoch %d: train loss %.4f, test accuracy %.4f%n", e.epoch(), e.trainLoss(), e.testAccuracy());
                    w.flush();
                });
                net.save(out, Map.of("dataset", d.dir(), "test_accuracy", String.format("%.4f", last[0]),
                        "recipe", String.format("get4j classifier train --dataset %s --epochs %d --batch %d --lr %s --seed %d",
                                d.dir(), epochs, batch, lr, seed), "get4j.version", Versions.get4j()));
            }
            w.printf("wrote %s (test accuracy %.4f)%n", out, last[0]);
            w.flush();
        }
    }
}
