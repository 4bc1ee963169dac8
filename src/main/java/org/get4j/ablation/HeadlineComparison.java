package org.get4j.ablation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.get4j.Get4jException;
import org.get4j.metrics.FdEstimate;
import org.get4j.metrics.StudentEvaluation;
import org.get4j.metrics.TrainingCurve;
import org.get4j.optim.TrainingRun;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The paper's headline at CPU scale: GET-Mini against a ViT with about five times its parameters, both distilled from
 * the same pairs with the same recipe ({@code VIT5X=1 environment/experiment-mnist}). They are compared twice: at
 * equal training steps (each run's end, its {@code eval.csv}) and at equal training time (the ViT's snapshot at
 * GET-Mini's training seconds, scored into its {@code fd-vs-time.csv}). FDs whose intervals overlap are not ranked.
 */
public record HeadlineComparison(Entry get, Entry vitAtEqualSteps, Entry vitAtEqualTime) {
    /** The run folders, under the experiment's folder, of the equilibrium model and of the larger ViT. */
    public static final String GET_RUN = "get-mini";
    public static final String VIT_RUN = "vit-5x";

    /** One trained model as compared: its parameters, the steps and seconds it had trained, and its FD. */
    public record Entry(String label, long parameters, long steps, double trainSeconds, FdEstimate fd) {}

    /**
     * Reads the comparison from an experiment folder (runs/mnist); null when the larger ViT has not run there or has
     * not yet been scored at equal time. A folder with a half-written run is an error naming the missing file.
     */
    public static HeadlineComparison read(Path experiment) {
        Path get = experiment.resolve(GET_RUN);
        Path vit = experiment.resolve(VIT_RUN);
        if (!Files.isRegularFile(vit.resolve("eval.csv")) || !Files.isRegularFile(vit.resolve(TrainingCurve.FILE))) {
            return null;
        }
        StudentEvaluation.Report getEval = StudentEvaluation.Report.read(get);
        StudentEvaluation.Report vitEval = StudentEvaluation.Report.read(vit);
        TrainingRun.Cost getCost = TrainingRun.Cost.require(get);
        TrainingRun.Cost vitCost = TrainingRun.Cost.require(vit);
        if (getEval.samples() != vitEval.samples()) {
            throw new Get4jException(experiment + ": " + GET_RUN + " and " + VIT_RUN + " were scored on different "
                    + "sample counts (" + getEval.samples() + " and " + vitEval.samples() + "); their FDs do not compare");
        }
        // The snapshot nearest GET-Mini's training time, scored on as many samples as the evaluations.
        List<TrainingCurve.Point> curve = TrainingCurve.read(vit).stream()
                .filter(p -> p.samples() == getEval.samples()).toList();
        TrainingCurve.Point equalTime = curve.stream()
                .min(java.util.Comparator.comparingDouble(p -> Math.abs(p.markSeconds() - getCost.trainSeconds())))
                .orElse(null);
        if (equalTime == null || Math.abs(equalTime.markSeconds() - getCost.trainSeconds()) > 1) {
            return null; // not scored at GET-Mini's time (yet)
        }
        return new HeadlineComparison(
                new Entry("GET-Mini", getEval.parameters(), getCost.steps(), getCost.trainSeconds(),
                        getEval.fdTestEstimate()),
                new Entry("ViT-5x, equal steps", vitEval.parameters(), vitCost.steps(), vitCost.trainSeconds(),
                        vitEval.fdTestEstimate()),
                new Entry("ViT-5x, equal time", vitEval.parameters(), equalTime.step(), equalTime.trainSeconds(),
                        equalTime.fd()));
    }

    /** How GET-Mini compares with {@code vit}: "GET-Mini ahead", "ViT-5x ahead", or "not distinguishable". */
    public String verdict(Entry vit) {
        if (!get.fd().distinguishableFrom(vit.fd())) {
            return "not distinguishable";
        }
        return get.fd().fd() < vit.fd().fd() ? "GET-Mini ahead" : "ViT-5x ahead";
    }

    /** One row per entry: parameters, steps, training minutes, FD with its interval, and the verdict against GET. */
    public Table table() {
        StringColumn model = StringColumn.create("model");
        LongColumn params = LongColumn.create("params");
        LongColumn steps = LongColumn.create("steps");
        DoubleColumn minutes = DoubleColumn.create("train min");
        StringColumn fd = StringColumn.create("FD test (" + get.fd().samples() + " samples)");
        StringColumn against = StringColumn.create("against GET-Mini");
        for (Entry e : List.of(get, vitAtEqualSteps, vitAtEqualTime)) {
            model.append(e.label());
            params.append(e.parameters());
            steps.append(e.steps());
            minutes.append(Math.round(e.trainSeconds() / 6) / 10.0);
            fd.append(e.fd().toString());
            against.append(e == get ? "" : verdict(e));
        }
        return Table.create("GET-Mini against a ViT with " + String.format(java.util.Locale.ROOT, "%.1f",
                (double) vitAtEqualSteps.parameters() / get.parameters()) + " times its parameters", model, params,
                steps, minutes, fd, against);
    }
}
