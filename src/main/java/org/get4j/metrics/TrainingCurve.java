package org.get4j.metrics;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.get4j.Get4jException;
import org.get4j.deq.SolverConfig;
import org.get4j.io.Checksums;
import org.get4j.io.RunFiles;
import org.get4j.model.Checkpoints;
import org.get4j.model.Generator;
import org.get4j.optim.TrainingRun;

/**
 * Quality against training time: each time-mark snapshot of a run ({@link TrainingRun#snapshotEvery}) is sampled from
 * the evaluation seeds with its EMA weights and scored, FD with its 95% interval. The rows are kept in the run's
 * {@value #FILE} with each snapshot's SHA-256 and reused while snapshot, sample count, metric and solver are the same.
 */
public final class TrainingCurve {
    public static final String FILE = "fd-vs-time.csv";
    private static final String HEADER = "mark_seconds,step,train_seconds,samples,metric,solver,fd,fd_low,fd_high,"
            + "snapshot_sha256";

    private TrainingCurve() {}

    /** One snapshot's quality: its time mark, the step and training seconds it holds, n samples, FD. */
    public record Point(double markSeconds, long step, double trainSeconds, int samples, FdEstimate fd) {}

    /** Scores every snapshot of {@code runDir} not scored before in the same way; all points in mark order. */
    public static List<Point> evaluate(NDManager manager, Path runDir, SolverConfig solver, Scoring scoring, int n,
            Consumer<Point> progress) {
        return evaluate(manager, runDir, solver, scoring, n, Set.of(), progress);
    }

    /**
     * Scores the snapshots at {@code marks} (seconds; empty for every snapshot) on n samples, reusing a row scored
     * before in the same way (snapshot SHA-256, n, metric, solver; a row of another solver is replaced), and returns
     * their points in mark order. Rows of
     * other snapshots or sample counts stay in the file, so a 10,000-sample confirmation of two marks sits beside the
     * 2,000-sample curve. A mark with no snapshot is an error that names the marks there are.
     */
    public static List<Point> evaluate(NDManager manager, Path runDir, SolverConfig solver, Scoring scoring, int n,
            Set<Double> marks, Consumer<Point> progress) {
        List<TrainingRun.Snapshot> snapshots = requireSnapshots(runDir);
        Map<Path, String> shas = new HashMap<>();
        snapshots.forEach(s -> shas.put(s.file(), Checksums.sha256(s.file())));
        if (!marks.isEmpty()) {
            List<Double> have = snapshots.stream().map(TrainingRun.Snapshot::markSeconds).toList();
            List<Double> missing = marks.stream().filter(m -> !have.contains(m)).sorted().toList();
            if (!missing.isEmpty()) {
                throw new Get4jException(runDir + " has no snapshot at " + missing + " s; it has " + have);
            }
            snapshots = snapshots.stream().filter(s -> marks.contains(s.markSeconds())).toList();
        }
        String solverTag = Checksums.sha256(solver.toMap().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .substring(0, 12);
        Map<String, String> rows = earlierRows(runDir); // every row kept, by (snapshot, n, metric)
        // ... except those of snapshots no longer there (rewritten at the same mark by a resume): stale scores
        rows.values().removeIf(r -> !shas.containsValue(r.split(",")[9]));
        List<Point> points = new ArrayList<>();
        for (TrainingRun.Snapshot s : snapshots) {
            String sha = shas.get(s.file());
            String key = String.join(",", sha, Integer.toString(n), scoring.metric());
            String row = rows.get(key);
            if (row == null || !row.split(",")[5].equals(solverTag)) { // (scored with another solver: replaced)
                FdEstimate fd;
                try (NDManager m = manager.newSubManager()) {
                    Generator g = Checkpoints.load(s.file(), m, null, Checkpoints.Weights.EMA);
                    float[] images = StudentEvaluation.sample(m, g, solver, n, 500).images();
                    fd = scoring.estimate(StudentEvaluation.buffer(images, g.config()), 500);
                }
                row = String.format(Locale.ROOT, "%s,%d,%.3f,%d,%s,%s,%.6f,%.6f,%.6f,%s", trimmed(s.markSeconds()),
                        s.step(), s.trainSeconds(), n, scoring.metric(), solverTag, fd.fd(), fd.low(), fd.high(), sha);
                rows.put(key, row);
                write(runDir, rows.values()); // each score kept as it comes
            }
            Point p = parse(row);
            points.add(p);
            progress.accept(p);
        }
        write(runDir, rows.values());
        return points;
    }

    /** The file's rows in mark order, then by sample count: the curve, with any larger-n confirmations beside it. */
    private static void write(Path runDir, java.util.Collection<String> rows) {
        StringBuilder csv = new StringBuilder(HEADER).append('\n');
        java.util.Comparator<String> order = java.util.Comparator.<String, Point>comparing(TrainingCurve::parse,
                java.util.Comparator.comparingDouble(Point::markSeconds).thenComparingInt(Point::samples))
                .thenComparing(java.util.Comparator.naturalOrder()); // (metrics and solvers: a fixed order)
        rows.stream().sorted(order).forEach(r -> csv.append(r).append('\n'));
        RunFiles.writeText(runDir.resolve(FILE), csv.toString());
    }

    /** The run's snapshots; an error that says how to make them when there are none. */
    public static List<TrainingRun.Snapshot> requireSnapshots(Path runDir) {
        List<TrainingRun.Snapshot> snapshots = TrainingRun.snapshots(runDir);
        if (snapshots.isEmpty()) {
            throw new Get4jException(runDir + " holds no snapshots (" + TrainingRun.SNAPSHOTS + "/t-*s.safetensors): "
                    + "train it with --snapshot-every SECONDS");
        }
        return snapshots;
    }

    /** The points recorded in a run's {@value #FILE}, in mark order (empty when it has none). */
    public static List<Point> read(Path runDir) {
        Path f = runDir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return List.of();
        }
        try {
            List<String> lines = Files.readAllLines(f);
            if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
                throw new Get4jException(f + " does not start with the header " + HEADER);
            }
            return lines.subList(1, lines.size()).stream().filter(l -> !l.isBlank()).map(TrainingCurve::parse)
                    .sorted(java.util.Comparator.comparingDouble(Point::markSeconds)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The points of a run scored on {@code samples} samples, in mark order. */
    public static List<Point> read(Path runDir, int samples) {
        return read(runDir).stream().filter(p -> p.samples() == samples).toList();
    }

    private static Point parse(String row) {
        String[] c = row.split(",");
        if (c.length != 10) {
            throw new Get4jException("a " + FILE + " row has " + c.length + " fields, not 10: " + row);
        }
        int n = Integer.parseInt(c[3]);
        return new Point(Double.parseDouble(c[0]), Long.parseLong(c[1]), Double.parseDouble(c[2]), n,
                new FdEstimate(Double.parseDouble(c[6]), Double.parseDouble(c[7]), Double.parseDouble(c[8]), n));
    }

    /** Earlier rows by (snapshot SHA-256, samples, metric). */
    private static Map<String, String> earlierRows(Path runDir) {
        Map<String, String> rows = new HashMap<>();
        Path f = runDir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return rows;
        }
        try {
            for (String line : Files.readAllLines(f)) {
                String[] c = line.split(",");
                if (c.length == 10 && !line.equals(HEADER)) {
                    rows.put(String.join(",", c[9], c[3], c[4]), line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    private static String trimmed(double seconds) {
        return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
    }
}
