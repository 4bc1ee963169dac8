package org.get4j.ablation;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.get4j.data.ImageSet;
import org.get4j.deq.SolverConfig;
import org.get4j.io.Checksums;
import org.get4j.io.RunFiles;
import org.get4j.metrics.FeatureExtractor;
import org.get4j.metrics.StudentEvaluation;
import org.get4j.model.Generator;
import org.get4j.model.ModelConfig;
import org.get4j.optim.TrainingRun;
import org.get4j.pairs.PairStore;
import org.get4j.train.Distillation;
import org.get4j.train.TrainConfig;

/**
 * One arm of an architecture sweep: distil a model with a shared training recipe on shared pairs, then evaluate
 * its EMA weights the way {@code get4j eval} does. Every arm keeps its own run folder; an arm whose checkpoint
 * is complete and whose evaluation matches that checkpoint (recorded in {@code sweep.json}) is reused, not redone,
 * so rerunning a sweep only does the missing work.
 */
public final class ModelSweep {
    /** A named model of the sweep. */
    public record Arm(String name, ModelConfig config) {
        /** The name as a folder name: "GET 2+3 wide" becomes "get-2-3-wide". */
        public String slug() {
            return name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        }
    }

    /** What evaluates every arm: extractor, reference splits, statistics cache and sample count. */
    public record Judge(FeatureExtractor fx, ImageSet train, ImageSet test, Path statsCache, int samples) {}

    /** An arm's outcome: its evaluation, the training cost, and whether it came from an earlier run. */
    public record Result(Arm arm, StudentEvaluation.Report report, TrainingRun.Cost cost, boolean reused) {
        public double gmacs() {
            return report.gmacs();
        }
    }

    private static final String RECORD = "sweep.json";
    /** Every arm samples with 6 iterations and keeps the last, the state its training supervised most. */
    private static final SolverConfig SOLVER = SolverConfig.sampling();

    private ModelSweep() {}

    public static Result run(NDManager manager, Arm arm, TrainConfig train, PairStore pairs, Path runDir, Judge judge,
            Consumer<Distillation.Log> progress) {
        Distillation d = new Distillation(arm.config(), train, pairs, runDir);
        TrainingRun.Cost cost = TrainingRun.Cost.read(runDir);
        if (cost != null && cost.steps() == train.steps() && evaluationMatches(runDir, d.checkpointFile(), judge)) {
            return new Result(arm, StudentEvaluation.Report.read(runDir), cost, true);
        }
        Generator ema = d.run(manager, true, progress);
        StudentEvaluation.Report report = StudentEvaluation.evaluate(manager, arm.name(), ema, SOLVER, judge.fx(),
                judge.train(), judge.test(), judge.statsCache(), null, 0, judge.samples());
        report.write(runDir);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("checkpoint_sha256", Checksums.sha256(d.checkpointFile()));
        record.put("samples", judge.samples());
        record.put("metric", judge.fx().metricName());
        record.put("solver", SOLVER.toMap());
        RunFiles.writeJson(runDir.resolve(RECORD), record);
        return new Result(arm, report, TrainingRun.Cost.read(runDir), false);
    }

    private static boolean evaluationMatches(Path runDir, Path checkpoint, Judge judge) {
        Path record = runDir.resolve(RECORD);
        if (!Files.isRegularFile(record) || !Files.isRegularFile(runDir.resolve("eval.csv"))
                || !Files.isRegularFile(checkpoint)) {
            return false;
        }
        try {
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            var n = json.readTree(record.toFile());
            return n.get("checkpoint_sha256").asText().equals(Checksums.sha256(checkpoint))
                    && n.get("samples").asInt() == judge.samples()
                    && n.get("metric").asText().equals(judge.fx().metricName())
                    && SolverConfig.fromMap(json.convertValue(n.get("solver"), Map.class)).equals(SOLVER);
        } catch (java.io.IOException | RuntimeException e) {
            return false; // unreadable: evaluate again
        }
    }

    /** The arms side by side: shape, size, cost and quality. */
    public static tech.tablesaw.api.Table table(java.util.List<Result> results) {
        java.util.function.Function<java.util.function.ToDoubleFunction<Result>, double[]> col =
                f -> results.stream().mapToDouble(f).toArray();
        return Readable.format(tech.tablesaw.api.Table.create("sweep",
                tech.tablesaw.api.StringColumn.create("arm", results.stream().map(r -> r.arm().name()).toList()),
                tech.tablesaw.api.StringColumn.create("arch",
                        results.stream().map(r -> r.arm().config().arch().name()).toList()),
                tech.tablesaw.api.IntColumn.create("L_inj / depth",
                        results.stream().mapToInt(r -> r.arm().config().depth()).toArray()),
                tech.tablesaw.api.IntColumn.create("L_mem",
                        results.stream().mapToInt(r -> r.arm().config().memDepth()).toArray()),
                tech.tablesaw.api.IntColumn.create("width",
                        results.stream().mapToInt(r -> r.arm().config().width()).toArray()),
                tech.tablesaw.api.LongColumn.create("params",
                        results.stream().mapToLong(r -> r.report().parameters()).toArray()),
                tech.tablesaw.api.DoubleColumn.create("GMACs", col.apply(Result::gmacs)),
                tech.tablesaw.api.DoubleColumn.create("FD test", col.apply(r -> r.report().fdTest())),
                tech.tablesaw.api.DoubleColumn.create("floor", col.apply(r -> r.report().floor())),
                tech.tablesaw.api.DoubleColumn.create("train min", col.apply(r -> r.cost().trainSeconds() / 60)),
                tech.tablesaw.api.StringColumn.create("from",
                        results.stream().map(r -> r.reused() ? "earlier run" : "this run").toList())));
    }
}
