package org.get4j.cli;

import ai.djl.ndarray.NDManager;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.get4j.data.DataHome;
import org.get4j.data.Dataset;
import org.get4j.data.Datasets;
import org.get4j.data.ImageSet;
import org.get4j.deq.SolverConfig;
import org.get4j.io.RunFiles;
import org.get4j.metrics.FeatureExtractor;
import org.get4j.metrics.LeNet;
import org.get4j.metrics.StudentEvaluation;
import org.get4j.model.Checkpoints;
import org.get4j.model.Generator;
import org.get4j.pairs.PairStore;
import org.get4j.runtime.TorchRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code get4j eval}: the results table of a trained student. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a student: FD to test and train statistics beside the real-vs-real floor at the same "
                + "sample count, classifier score, fidelity to the teacher on held-out pairs, sampling images/s. "
                + "Writes eval.csv and eval.md next to the checkpoint (or into --out).")
final class EvalCommand implements Runnable {
    @Spec
    CommandSpec spec;
    @Mixin
    ModelOptions model = new ModelOptions();
    @Option(names = "--checkpoint", required = true, paramLabel = "FILE",
            description = "The student checkpoint (.safetensors) to evaluate.") Path checkpoint;
    @Mixin
    InferenceOptions inference = new InferenceOptions();
    @Option(names = "--n", defaultValue = "10000", description = "Samples (default: ${DEFAULT-VALUE}).") int n;
    @Option(names = "--dataset", defaultValue = "mnist",
            description = "Real data: mnist or fashion-mnist.") String dataset;
    @Option(names = "--held-out", paramLabel = "PAIRS", description = "Pairs the student did not train on (fidelity).")
    Path heldOut;
    @Option(names = "--held-out-count", defaultValue = "1000",
            description = "Held-out pairs used for the fidelity to the teacher (default: ${DEFAULT-VALUE}).")
    int heldOutCount;
    @Option(names = "--out", paramLabel = "DIR",
            description = "Folder for eval.csv and eval.md (default: the checkpoint's folder).") Path out;

    @Override
    public void run() {
        SolverConfig solverConfig = inference.solver();
        Checkpoints.Weights which = inference.weights();
        Dataset d = Flags.dataset(spec, dataset);
        if (n < 2) {
            throw new ParameterException(spec.commandLine(), "--n must be at least 2");
        }
        PrintWriter w = spec.commandLine().getOut();
        try (NDManager m = TorchRuntime.newManager()) {
            Generator g = Checkpoints.load(checkpoint, m, model.config(), which);
            FeatureExtractor fx = Features.extractor(m, d == Dataset.MNIST ? "lenet-mnist" : "lenet-fashion", null);
            ImageSet train = Datasets.load(d, Dataset.Split.TRAIN).padTo(LeNet.SIZE);
            ImageSet test = Datasets.load(d, Dataset.Split.TEST).padTo(LeNet.SIZE);
            Path parent = checkpoint.toAbsolutePath().getParent();
            String name = g.config().arch() + " (" + (parent == null ? checkpoint : parent.getFileName()) + ")";
            StudentEvaluation.Report r = StudentEvaluation.evaluate(m, name,
                    g, solverConfig, fx, train, test, DataHome.resolve().resolve("stats"),
                    heldOut == null ? null : PairStore.open(heldOut, null), heldOutCount, n);
            Path dir = out != null ? out : checkpoint.toAbsolutePath().getParent();
            r.write(dir);
            // which iterate was kept, and the rest of the inference solver, beside the numbers it produced
            RunFiles.writeJson(dir.resolve("eval-solver.json"), solverConfig.toMap());
            w.print(r.markdown());
            w.printf("solver: %s%n", solverConfig.toMap());
            w.printf("written to %s, %s%s and %s%n", dir.resolve("eval.csv"), dir.resolve("eval.md"),
                    r.classes() == null ? "" : ", " + dir.resolve(StudentEvaluation.Report.CLASSES_FILE),
                    dir.resolve("eval-solver.json"));
        }
        w.flush();
    }
}
