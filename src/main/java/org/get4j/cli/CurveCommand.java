package org.get4j.cli;

import ai.djl.ndarray.NDManager;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.get4j.data.Dataset;
import org.get4j.metrics.Scoring;
import org.get4j.metrics.TrainingCurve;
import org.get4j.runtime.TorchRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code get4j curve}: a student's FD against its training time, from the snapshots of its run. */
@Command(name = "curve", mixinStandardHelpOptions = true,
        description = "FD against training time: score every snapshot of a run trained with --snapshot-every (EMA "
                + "weights, evaluation seeds), each FD with its 95%% interval, beside the floor at the same sample "
                + "count. Writes RUN/fd-vs-time.csv; snapshots scored before in the same way are not scored again.")
final class CurveCommand implements Runnable {
    @Spec
    CommandSpec spec;
    @Option(names = "--run", required = true, paramLabel = "DIR",
            description = "A run folder with snapshots/ (get4j train --snapshot-every).") Path run;
    @Option(names = "--n", defaultValue = "2000", description = "Samples per snapshot (default: ${DEFAULT-VALUE}).")
    int n;
    @Option(names = "--marks", split = ",", paramLabel = "SECONDS",
            description = "Score only the snapshots at these training-time marks, e.g. 1800,3600 (default: all); "
                    + "rows of other marks and sample counts are kept, so a larger-n confirmation sits beside the "
                    + "curve.")
    List<Double> marks = List.of();
    @Option(names = "--dataset", defaultValue = "mnist",
            description = "Real data: mnist or fashion-mnist (default: ${DEFAULT-VALUE}).") String dataset;
    @Mixin
    InferenceOptions inference = new InferenceOptions();

    @Override
    public void run() {
        Flags.atLeast(spec, "--n", n, 2);
        for (double mark : marks) {
            if (!(mark > 0)) {
                throw new ParameterException(spec.commandLine(),
                        "--marks: " + mark + " is not a positive number of seconds");
            }
        }
        Dataset d = Flags.dataset(spec, dataset);
        TrainingCurve.requireSnapshots(run);
        PrintWriter w = spec.commandLine().getOut();
        try (NDManager m = TorchRuntime.newManager()) {
            Scoring scoring = Scoring.lenet(m, d);
            w.printf("%s of %d samples per snapshot of %s%n", scoring.metric(), n, run);
            w.flush();
            TrainingCurve.evaluate(m, run, inference.solver(), scoring, n, Set.copyOf(marks), p -> {
                w.printf(java.util.Locale.ROOT, "%7.0f s  step %7d  %s%n", p.markSeconds(), p.step(), p.fd());
                w.flush();
            });
            w.printf("floor (%d real training images): %.2f%nwritten to %s%n", n, scoring.floor(n),
                    run.resolve(TrainingCurve.FILE));
        }
        w.flush();
    }
}
