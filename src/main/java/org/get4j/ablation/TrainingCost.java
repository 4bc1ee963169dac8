package org.get4j.ablation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import ai.djl.ndarray.NDManager;
import java.util.function.Consumer;
import org.get4j.Get4jException;
import org.get4j.deq.SolverConfig;
import org.get4j.metrics.Scoring;
import org.get4j.model.ModelConfig;
import org.get4j.pairs.PairStore;
import org.get4j.train.Distillation;
import org.get4j.train.TrainConfig;
import org.get4j.metrics.FdEstimate;
import org.get4j.metrics.TrainingCurve;
import org.get4j.optim.TrainingRun;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The training-cost ablation read back (issue 21): for each arm's run folder, what a step costs (the median over the
 * run's metrics rows, and the peak memory) and what the time bought (FD against training time, from
 * {@code get4j curve}). Arms are compared at equal training time, not equal steps.
 */
public final class TrainingCost {
    private TrainingCost() {}

    /**
     * One arm: its model (null when run.json records none), the fixed-point iterations it samples with
     * ({@link #samplingIterations(TrainConfig)}), batch, median seconds per step, peak RSS, steps done, and every scored
     * snapshot: the curve (FD at each time mark, on the sample count most of its points have) and any confirmations
     * of some marks on more samples.
     */
    public record Summary(String name, ModelConfig model, int iterations, int batch, double medianStepSeconds,
            double rateDrift, long peakRssMiB, long steps, List<TrainingCurve.Point> points) {
        /** Multiply-adds per generated image: GET at the iterations it samples with; null without a model. */
        public Long macsPerImage() {
            return model == null ? null : model.inferenceMacs(iterations);
        }

        /** The sample count of the curve: the one most points were scored on (the smaller on a tie). */
        public int curveSamples() {
            java.util.Map<Integer, Long> counts = new java.util.TreeMap<>();
            points.forEach(p -> counts.merge(p.samples(), 1L, Long::sum));
            return counts.entrySet().stream().max(java.util.Map.Entry.<Integer, Long>comparingByValue()
                    .thenComparing(java.util.Map.Entry.comparingByKey(java.util.Comparator.reverseOrder())))
                    .map(java.util.Map.Entry::getKey).orElse(0);
        }

        /** FD against time: the points on {@link #curveSamples()} samples, in mark order. */
        public List<TrainingCurve.Point> curve() {
            return pointsOn(curveSamples());
        }

        /** The points scored on {@code samples} samples, in mark order (a larger-n confirmation of some marks). */
        public List<TrainingCurve.Point> pointsOn(int samples) {
            return points.stream().filter(p -> p.samples() == samples).toList();
        }

        /** FD at the snapshot of the given mark on the curve's sample count, or null when there is none. */
        public FdEstimate at(double seconds) {
            return at(seconds, curveSamples());
        }

        /** FD at the snapshot of the given mark scored on {@code samples} samples, or null when there is none. */
        public FdEstimate at(double seconds, int samples) {
            return pointsOn(samples).stream().filter(p -> p.markSeconds() == seconds).map(TrainingCurve.Point::fd)
                    .findFirst().orElse(null);
        }
    }

    /**
     * The fixed-point iterations an arm samples with: the ones it trains through (free + unrolled), so that a recipe
     * that trains cheaper also samples at its own cost; the reference's 6 for the implicit gradient, whose solver
     * runs to a tolerance. (The ablation scripts pass the same as get4j curve's --iters.)
     */
    public static int samplingIterations(TrainConfig train) {
        return samplingIterations(train.gradient(), train.freeIterations(), train.unroll());
    }

    static int samplingIterations(TrainConfig.Gradient gradient, int freeIterations, int unroll) {
        return gradient == TrainConfig.Gradient.IMPLICIT ? SolverConfig.REFERENCE_ITERATIONS : freeIterations + unroll;
    }

    /**
     * Trains one arm from {@code pairs} for {@code budgetSeconds} of training time with a snapshot every
     * {@code markSeconds} (resuming what the folder holds; nothing when the budget is spent), scores every snapshot on
     * n samples with {@link #samplingIterations(TrainConfig)} iterations, and reads the arm back. The command-line
     * route is environment/ablation-training-cost (and ablation-depth).
     */
    public static Summary run(NDManager manager, String name, ModelConfig model, TrainConfig train, PairStore pairs,
            Path runDir, int budgetSeconds, int markSeconds, Scoring scoring, int n,
            Consumer<Distillation.Log> progress) {
        Distillation d = new Distillation(model, train, pairs, runDir);
        d.snapshotEvery(markSeconds).timeBudget(budgetSeconds);
        d.run(manager, TrainingRun.Start.RESUME, progress);
        TrainingCurve.evaluate(manager, runDir, SolverConfig.unrolled(samplingIterations(train)), scoring, n, p -> { });
        return summarise(name, runDir);
    }

    /** The arms found under {@code root} (each a folder with a cost record), named by their folders, in order. */
    public static List<Summary> gather(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (java.util.stream.Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(p -> Files.isRegularFile(p.resolve(TrainingRun.COST))).sorted()
                    .map(p -> summarise(p.getFileName().toString(), p)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads an arm's run folder: run.json (model, batch, gradient and iterations), metrics.csv (images per second),
     * cost.json, fd-vs-time.csv.
     */
    public static Summary summarise(String name, Path runDir) {
        TrainingRun.Cost cost = TrainingRun.Cost.require(runDir);
        int batch;
        int iterations;
        ModelConfig model;
        try {
            JsonNode run = TrainingRun.record(runDir);
            if (run.isMissingNode()) {
                throw new Get4jException(runDir.resolve(TrainingRun.RUN) + " is missing");
            }
            JsonNode train = run.path("train");
            batch = train.path("batch").asInt();
            iterations = samplingIterations(TrainConfig.Gradient.valueOf(train.path("gradient").asText("PHANTOM")),
                    train.path("free_iterations").asInt(0), train.path("unroll").asInt(SolverConfig.REFERENCE_ITERATIONS));
            model = run.path("model").isObject()
                    ? ModelConfig.fromMap(new ObjectMapper().convertValue(run.path("model"), java.util.Map.class)) : null;
        } catch (UncheckedIOException | IllegalArgumentException e) {
            throw new Get4jException(runDir.resolve(TrainingRun.RUN) + " is not readable: " + e.getMessage());
        }
        double[] rates = column(runDir.resolve(TrainingRun.METRICS), "images_per_second");
        return new Summary(name, model, iterations, batch, batch / median(rates), drift(rates), cost.peakRssMiB(),
                cost.steps(), TrainingCurve.read(runDir));
    }

    /**
     * One row per arm: size (parameters; GMACs per image, GET at the iterations it samples with), cost per step, memory,
     * steps, and FD with its interval at each of {@code marks} (seconds).
     */
    public static Table table(List<Summary> arms, double... marks) {
        return tableOf(arms, null, marks);
    }

    /** Every time mark that some arm's curve holds, in order: the columns a table of these arms can show. */
    public static double[] marks(List<Summary> arms) {
        return arms.stream().flatMap(a -> a.curve().stream()).mapToDouble(TrainingCurve.Point::markSeconds).distinct()
                .sorted().toArray();
    }

    /**
     * The same table with FD on {@code samples} samples: the confirmation of some marks on more samples than the
     * curve's (the 10,000-sample scores at 30 and 60 minutes); arms with no point on that many samples are left out.
     */
    public static Table confirmation(List<Summary> arms, int samples, double... marks) {
        return tableOf(arms, samples, marks);
    }

    /** Curves on different sample counts do not compare (FD's bias depends on n): an error that names them. */
    static void requireOneCurveSampleCount(List<Summary> arms) {
        java.util.Map<Integer, List<String>> byN = new java.util.TreeMap<>();
        arms.stream().filter(a -> !a.points().isEmpty())
                .forEach(a -> byN.computeIfAbsent(a.curveSamples(), k -> new ArrayList<>()).add(a.name()));
        if (byN.size() > 1) {
            throw new Get4jException("the arms' curves were scored on different sample counts " + byN
                    + ": FDs on different n do not compare; rescore them with one get4j curve --n");
        }
    }

    private static Table tableOf(List<Summary> arms, Integer samples, double... marks) {
        if (samples == null) {
            requireOneCurveSampleCount(arms);
        }
        StringColumn name = StringColumn.create("arm");
        LongColumn params = LongColumn.create("params");
        DoubleColumn gmacs = DoubleColumn.create("GMACs");
        IntColumn batch = IntColumn.create("batch");
        DoubleColumn step = DoubleColumn.create("median s/step");
        DoubleColumn drift = DoubleColumn.create("rate, 2nd half / 1st");
        LongColumn rss = LongColumn.create("peak MiB");
        LongColumn steps = LongColumn.create("steps");
        List<StringColumn> at = new ArrayList<>();
        for (double m : marks) {
            at.add(StringColumn.create("FD at " + minutes(m)));
        }
        for (Summary s : arms) {
            if (samples != null && s.pointsOn(samples).isEmpty()) {
                continue;
            }
            name.append(s.name());
            if (s.model() != null) {
                params.append(s.model().parameterCount());
                gmacs.append(Math.round(s.macsPerImage() / 1e6) / 1e3);
            } else {
                params.appendMissing();
                gmacs.appendMissing();
            }
            batch.append(s.batch());
            step.append(Math.round(s.medianStepSeconds() * 1000) / 1000.0);
            if (Double.isNaN(s.rateDrift())) {
                drift.appendMissing(); // too short a run to say
            } else {
                drift.append(Math.round(s.rateDrift() * 100) / 100.0);
            }
            rss.append(s.peakRssMiB());
            steps.append(s.steps());
            for (int i = 0; i < marks.length; i++) {
                FdEstimate fd = samples == null ? s.at(marks[i]) : s.at(marks[i], samples);
                at.get(i).append(fd == null ? "-" : fd.toString());
            }
        }
        String title = "Training cost and quality at equal training time"
                + (samples == null ? "" : String.format(java.util.Locale.ROOT, ", FD on %,d samples", samples));
        Table t = Table.create(title, name, params, gmacs, batch, step, drift, rss, steps);
        at.forEach(t::addColumns);
        return t;
    }

    /**
     * The measured frontier: at each time mark that any arm reached, the arm with the lowest FD there, that FD, and
     * the arms whose intervals overlap it (not distinguishable from the best at that mark, so not ranked below it).
     */
    public static Table frontier(List<Summary> arms) {
        return frontier(arms, null);
    }

    /** The frontier of FDs on {@code samples} samples (null: each arm's curve), e.g. of the 10,000-sample marks. */
    public static Table frontier(List<Summary> arms, Integer samples) {
        if (samples == null) {
            requireOneCurveSampleCount(arms);
        }
        java.util.function.BiFunction<Summary, Double, FdEstimate> fdAt =
                (a, mark) -> samples == null ? a.at(mark) : a.at(mark, samples);
        java.util.TreeSet<Double> marks = new java.util.TreeSet<>();
        arms.forEach(a -> (samples == null ? a.curve() : a.pointsOn(samples)).forEach(p -> marks.add(p.markSeconds())));
        StringColumn time = StringColumn.create("training time");
        StringColumn best = StringColumn.create("best arm");
        StringColumn fd = StringColumn.create("its FD");
        StringColumn ties = StringColumn.create("not distinguishable from it");
        for (double mark : marks) {
            Summary winner = null;
            for (Summary a : arms) {
                FdEstimate here = fdAt.apply(a, mark);
                if (here != null && (winner == null || here.fd() < fdAt.apply(winner, mark).fd())) {
                    winner = a;
                }
            }
            FdEstimate top = fdAt.apply(winner, mark);
            Summary w = winner;
            List<String> tied = arms.stream()
                    .filter(a -> a != w && fdAt.apply(a, mark) != null && !fdAt.apply(a, mark).distinguishableFrom(top))
                    .map(Summary::name).toList();
            time.append(minutes(mark));
            best.append(winner.name());
            fd.append(top.toString());
            ties.append(tied.isEmpty() ? "-" : String.join(", ", tied));
        }
        return Table.create("The frontier: the best arm at each training time"
                + (samples == null ? "" : String.format(java.util.Locale.ROOT, " (FD on %,d samples)", samples)),
                time, best, fd, ties);
    }

    /** "30 min", "1.5 min", "40 s": a time mark as a column names it. */
    public static String minutes(double seconds) {
        if (seconds < 60) {
            return String.format(java.util.Locale.ROOT, "%.0f s", seconds);
        }
        double m = seconds / 60;
        return String.format(java.util.Locale.ROOT, m == Math.rint(m) ? "%.0f min" : "%.1f min", m);
    }

    /** The values of one column of a CSV file with a header row. */
    static double[] column(Path csv, String header) {
        try {
            List<String> lines = Files.readAllLines(csv);
            int index = Arrays.asList(lines.get(0).split(",")).indexOf(header);
            if (index < 0) {
                throw new Get4jException(csv + " has no column " + header);
            }
            return lines.subList(1, lines.size()).stream().filter(l -> !l.isBlank())
                    .mapToDouble(l -> Double.parseDouble(l.split(",")[index])).toArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The median training rate of a run's later half of logged rows over its first half's: about 1 on a steady
     * machine, below 1 when the arm ran slower later (contention, or a shared host's drift). Two arms whose drifts
     * differ were not timed alike, so their FDs at equal training time are not a fair comparison (NaN: under 4 rows).
     */
    static double drift(double[] rates) {
        if (rates.length < 4) {
            return Double.NaN;
        }
        int half = rates.length / 2;
        return median(Arrays.copyOfRange(rates, rates.length - half, rates.length))
                / median(Arrays.copyOfRange(rates, 0, half));
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
