package org.get4j.notebook;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.get4j.ablation.ResultTable;
import org.get4j.ablation.TrainingCost;
import org.get4j.data.DataHome;
import org.get4j.deq.SolverConfig;
import org.get4j.diffusion.Denoiser;
import org.get4j.diffusion.SamplerConfig;
import org.get4j.io.Npy;
import org.get4j.metrics.Evaluation;
import org.get4j.metrics.FdEstimate;
import org.get4j.metrics.FdRecord;
import org.get4j.metrics.Scoring;
import org.get4j.metrics.TeacherQuality;
import org.get4j.model.Checkpoints;
import org.get4j.model.Generator;
import org.get4j.model.GetModel;
import org.get4j.pairs.PairGenerator;
import org.get4j.pairs.PairManifest;
import org.get4j.pairs.PairStore;
import org.get4j.pairs.PairViews;
import org.get4j.pairs.Pairs;
import org.get4j.pairs.SeedRange;
import tech.tablesaw.api.Table;

/** Where notebook runs keep their pairs and checkpoints, so that a rerun reuses them (and says so). */
public final class Runs {
    private Runs() {}

    /**
     * {@code GET4J_RUNS}, else {@code runs/} beside the data home, or {@code runs-quick/} in quick mode (both
     * git-ignored): quick runs are for CI and must not mix with a user's full-size runs, which notebook 06 tabulates.
     */
    public static Path dir() {
        return dir(System.getenv("GET4J_RUNS"), Notebooks.quick(), DataHome.resolve());
    }

    static Path dir(String runsVariable, boolean quick, Path dataHome) {
        if (runsVariable != null && !runsVariable.isBlank()) {
            return Path.of(runsVariable);
        }
        return dataHome.resolveSibling(quick ? "runs-quick" : "runs");
    }

    /**
     * The results of a long experiment that {@code environment/main} does not run, as a notebook reads them: this
     * machine's own run ({@code runs/<name>}) once it has finished, else the copy of the reference run shipped in
     * {@code data/results/<name>} (its tables, records and curves; for the MNIST experiment also GET-Mini's EMA
     * weights), so that the notebooks of a fresh clone show what the repository's show, and say which they read.
     *
     * @param dir      where the results are read from ({@code exists()} is false when neither copy is present)
     * @param shipped  true for the shipped copy
     * @param command  the command that makes them here
     */
    public record Experiment(Path dir, boolean shipped, String command) {
        public boolean exists() {
            return Files.isDirectory(dir);
        }

        /** One line for a notebook's output: which results are read, and how to make one's own. */
        public String line() {
            if (shipped) {
                return "Reading the reference run's results shipped in " + dir + " (recipe in data/README.md): run "
                        + command + " here to read your own.";
            }
            return exists() ? "Reading this machine's results of " + command + " in " + dir + "."
                    : "No results of " + command + " in " + dir + ", and none shipped.";
        }
    }

    /**
     * Where the repository ships the long experiments' results: {@code results/} of the data home (data/README.md,
     * "Shipped results"). A data home moved elsewhere with {@code GET4J_DATA} has none, unless they are copied there
     * as the shipped teachers are.
     */
    public static Path shippedResults() {
        return DataHome.resolve().resolve("results");
    }

    /**
     * environment/experiment-mnist's results: {@code runs/mnist} once it has written its summary (its models are
     * evaluated before that), else the shipped copy. Quick mode reads the same (its runs folder never holds the
     * experiment): CI runs the notebooks on the path a fresh clone takes.
     */
    public static Experiment mnistExperiment() {
        return experiment(dir(), shippedResults(), "mnist", "environment/experiment-mnist", Runs::mnistFinished);
    }

    /**
     * The class-conditional MNIST experiment ({@code PAIRS=10000 GUIDANCE=1.5 CLASSES=10 environment/experiment-mnist}, issue 24):
     * {@code runs/mnist-conditional} once it has written its summary, else the shipped copy.
     */
    public static Experiment conditionalExperiment() {
        return experiment(dir(), shippedResults(), "mnist-conditional",
                "PAIRS=10000 GUIDANCE=1.5 CLASSES=10 environment/experiment-mnist", Runs::mnistFinished);
    }

    static boolean mnistFinished(Path dir) {
        return Files.isRegularFile(dir.resolve("results.md"));
    }

    /**
     * environment/ablation-training-cost's arms in {@code runs/<name>} ("training-cost", or "training-cost-interleaved"
     * for the arms trained in turn) once every arm there has a scored curve, else the shipped copy: arms still
     * training, or trained and not yet scored (the interleaved script scores after all training), do not hide it.
     */
    public static Experiment trainingCost(String name) {
        return experiment(dir(), shippedResults(), name, "environment/ablation-training-cost (RUNS=runs/" + name + ")",
                Runs::armsScored);
    }

    /**
     * environment/ablation-depth's arms (notebook 05: GET's two depths, its width, and ViTs at matched parameters and
     * compute) in {@code runs/depth} once every arm there has a scored curve, else the shipped copy.
     */
    public static Experiment depthSweep() {
        return experiment(dir(), shippedResults(), "depth", "environment/ablation-depth", Runs::armsScored);
    }

    static boolean armsScored(Path dir) {
        List<TrainingCost.Summary> arms = TrainingCost.gather(dir);
        return !arms.isEmpty() && arms.stream().noneMatch(a -> a.points().isEmpty());
    }

    static Experiment experiment(Path runs, Path shippedResults, String name, String command,
            java.util.function.Predicate<Path> finished) {
        Path own = runs.resolve(name);
        if (Files.isDirectory(own) && finished.test(own)) {
            return new Experiment(own, false, command);
        }
        Path shipped = shippedResults.resolve(name);
        return Files.isDirectory(shipped) ? new Experiment(shipped, true, command) : new Experiment(own, false, command);
    }

    /**
     * Eight hex digits that name the teacher (of its file's SHA-256 where the identity records one), so that pairs and
     * the runs trained on them never mix teachers: a changed teacher gets new folders instead of a mismatch.
     */
    public static String teacherTag(Denoiser teacher) {
        return teacherTag(teacher.identity());
    }

    static String teacherTag(String identity) {
        // one file: its own checksum, as a user would look it up; a guided teacher (two files and a weight) or one
        // without a file: the checksum of the whole identity, so that no two teachers share a tag
        java.util.regex.Matcher sha = java.util.regex.Pattern.compile("sha256=([0-9a-f]{8})").matcher(identity);
        if (sha.find()) {
            String first = sha.group(1);
            if (!sha.find()) {
                return first;
            }
        }
        return org.get4j.io.Checksums.sha256(identity.getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 8);
    }

    /** "2000-25df8317": a pair store's size and teacher, for the names of the runs trained on it. */
    public static String pairsTag(PairStore pairs) {
        return pairs.size() + "-" + teacherTag(pairs.manifest().teacher());
    }

    /** Pairs from seeds 0..count-1 of the teacher: reused when a finished store exists, else made (resumably). */
    public static PairStore pairs(NDManager manager, Denoiser teacher, int count) {
        return pairs(manager, teacher, count, false);
    }

    /**
     * As {@link #pairs(NDManager, Denoiser, int)}; {@code conditional}: each seed also draws a label (balanced over
     * the classes) that the teacher is conditioned on, in a store of its own.
     */
    public static PairStore pairs(NDManager manager, Denoiser teacher, int count, boolean conditional) {
        Path store = dir().resolve("pairs-" + count + "-" + teacherTag(teacher) + (conditional ? "-conditional" : ""));
        if (Files.isRegularFile(store.resolve(PairManifest.FILE))) {
            System.out.println("Reusing the " + count + " pairs in " + store);
        } else {
            Progress progress = new Progress("pairs", count);
            int shard = Math.min(count, 1000);
            new PairGenerator(teacher, SamplerConfig.reference(), new SeedRange(0, count), shard, 64, conditional)
                    .generate(manager, store, p -> progress.update(p.pairsDone()));
        }
        return PairStore.open(store, teacher.identity());
    }

    /**
     * The FD (with its 95% interval) of the MNIST experiment's teacher samples ({@code mnist/teacher-samples.npy}, 35
     * evaluations each, written by environment/experiment-mnist), or null when the experiment has not run. The
     * experiment records it in {@code mnist/teacher-fd.json}; only a folder without a current record (older runs, or
     * samples replaced since) has its samples scored here, and the record written. The shipped results hold the
     * record without the 40 MB of samples: it is read as it is.
     */
    public static FdEstimate experimentTeacherFd(Scoring scoring) {
        Experiment experiment = mnistExperiment();
        Path record = experiment.dir().resolve("teacher-fd.json");
        if (experiment.shipped()) {
            if (!Files.isRegularFile(record)) {
                return null;
            }
            FdRecord kept = FdRecord.read(record);
            return kept.metric().equals(scoring.metric()) ? kept.estimate() : null;
        }
        Path samples = experiment.dir().resolve("teacher-samples.npy");
        if (!Files.isRegularFile(samples)) {
            return null;
        }
        return FdRecord.keep(record, r -> r.matches(samples, scoring.metric()),
                () -> {
                    var images = Evaluation.ImageSource.of(Npy.read(samples), samples.toString());
                    FdEstimate fd = scoring.estimate(images, 500);
                    return FdRecord.of(scoring.metric(), samples, "test split", fd, scoring.floor((int) fd.samples()));
                });
    }

    /**
     * Every evaluated run under the runs folder ({@link ResultTable#gather}); while this machine has not finished the
     * MNIST experiment, its rows come from the shipped copy instead (a part-run experiment's own rows are left out,
     * so no model is listed twice).
     */
    public static Table results() {
        Experiment experiment = mnistExperiment();
        Table all = ResultTable.gather(dir());
        if (!experiment.shipped()) {
            return all;
        }
        Table own = all.dropWhere(all.stringColumn("run").startsWith("mnist/"));
        Table shipped = ResultTable.gather(shippedResults());
        shipped = shipped.where(shipped.stringColumn("run").startsWith("mnist/"));
        return own.append(shipped).setName("Evaluated runs under " + dir() + ", and the MNIST experiment's shipped in "
                + experiment.dir());
    }

    /**
     * The teacher's FD on n samples, the reference line of a quality plot: the MNIST experiment's record when it is of
     * this teacher and was scored on n samples (its 10,000 samples, already drawn), else
     * {@link #teacherFd(Scoring, Denoiser, int)}.
     */
    public static FdEstimate teacherFdOn(Scoring scoring, Denoiser teacher, int n) {
        FdEstimate experiment = experimentTeacherFd(scoring);
        boolean same = experiment != null && experiment.samples() == n
                && teacher.identity().equals(experimentTeacher(mnistExperiment().dir()));
        return same ? experiment : teacherFd(scoring, teacher, n);
    }

    /**
     * The identity of the teacher whose pairs the MNIST experiment in {@code dir} distilled (GET-Mini's run.json
     * records it, in this machine's run and in the shipped copy), or null when there is none to read.
     */
    static String experimentTeacher(Path dir) {
        return org.get4j.optim.TrainingRun.record(dir.resolve("get-mini")).path("pairs").path("teacher").asText(null);
    }

    /**
     * The teacher's FD at 35 evaluations (18 Heun steps) on n samples of seeds 0..n-1, with its interval: the reference
     * line of a quality plot at that n. Computed once per teacher, n and metric, then kept in
     * {@code runs/teacher-fd-<teacher tag>-<n>.json} (a record naming the teacher by its identity, so that another
     * teacher file or metric is scored afresh).
     */
    public static FdEstimate teacherFd(Scoring scoring, Denoiser teacher, int n) {
        return teacherFd(dir(), scoring, teacher, n);
    }

    static FdEstimate teacherFd(Path runs, Scoring scoring, Denoiser teacher, int n) {
        String what = teacher.identity() + ", seeds 0-" + (n - 1) + ", " + SamplerConfig.reference().evaluations(teacher)
                + " evaluations";
        Path file = runs.resolve("teacher-fd-" + teacherTag(teacher) + "-" + n + ".json");
        return FdRecord.keep(file, r -> r.describes(what, scoring.metric()), () -> {
            Progress progress = new Progress("teacher samples", n);
            TeacherQuality.Report report = TeacherQuality.report(scoring, teacher,
                    new int[] {SamplerConfig.reference().steps()}, n, 64, new TeacherQuality.Listener() {
                        @Override
                        public void point(TeacherQuality.Point p) {}

                        @Override
                        public void sampled(long done) {
                            progress.update(done);
                        }
                    });
            return FdRecord.ofSamples(scoring.metric(), what, "test split", report.curve().get(0).estimate(),
                    report.floor());
        });
    }

    /** The loss of every supervised state over training, from a run's metrics.csv (titled with run.json's distance). */
    public static BufferedImage lossPlot(Path metricsCsv) {
        Table t = Table.read().csv(metricsCsv.toFile());
        double[] steps = t.numberColumn("step").asDoubleArray();
        Map<String, double[]> series = new LinkedHashMap<>();
        for (String c : t.columnNames()) {
            if (c.startsWith("loss_state_")) {
                series.put("z_" + c.substring("loss_state_".length()), t.numberColumn(c).asDoubleArray());
            }
        }
        return Plots.xy("Training loss of each unrolled state (" + distance(metricsCsv.resolveSibling("run.json"))
                + ")", "step", "loss", true, steps, series);
    }

    /** The training distance a run recorded (L1 or L2), or "loss" when the record is missing or unreadable. */
    static String distance(Path runJson) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(runJson.toFile()).path("train")
                    .path("distance").asText("loss");
        } catch (java.io.IOException e) {
            return "loss";
        }
    }

    /** Student samples from a checkpoint's EMA weights for the given pairs' noise, above the teacher's images. */
    public static BufferedImage studentVersusTeacher(NDManager manager, Path checkpoint, Pairs pairs) {
        try (NDManager m = manager.newSubManager()) {
            Generator g = Checkpoints.load(checkpoint, m, null, Checkpoints.Weights.EMA);
            NDArray z0 = g instanceof GetModel get ? get.initialState(m, pairs.count(), 0) : null;
            try (Generator.Sample s = g.sample(new ParameterStore(m, false), pairs.noiseArray(m), pairs.labelArray(m),
                    z0, SolverConfig.sampling())) {
                return PairViews.twoRows(s.images().toFloatArray(), 1f, pairs.images(), pairs.count(),
                        pairs.channels(), pairs.size(), 2);
            }
        }
    }
}
