package org.get4j.optim;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.get4j.Get4jException;
import org.get4j.io.FolderLock;
import org.get4j.io.HostTensor;
import org.get4j.io.RunFiles;
import org.get4j.io.SafeTensors;
import org.get4j.runtime.AttentionKernel;
import org.get4j.runtime.Memory;
import org.get4j.runtime.TorchRuntime;
import org.get4j.runtime.Versions;

/**
 * The loop every training run shares, the distillation of a student as much as the training of an EDM teacher:
 *
 * <pre>
 *   for k = start .. steps - 1:
 *       seed the engine with (seed, k); one update on the batch of (seed, k)
 *       every logEvery steps: a metrics row (means over the window)
 *       every checkpointEvery steps and at the end: a checkpoint (weights, EMA, optimiser, step, cost)
 * </pre>
 *
 * Because batches and noise are functions of (seed, step), a run resumed from its checkpoint ends with the
 * uninterrupted run's weights, bit for bit. A run's folder holds {@code run.json} (configuration, data checksums,
 * versions), {@code metrics.csv}, {@code checkpoint.safetensors} and {@code cost.json}; every write is atomic.
 * Nothing is lost silently: a folder that holds a run is refused unless the caller resumes or replaces it, a resumed
 * run refuses settings that differ from its checkpoint's unless the caller accepts them, and the checkpoint's
 * metadata (its step among them) is covered by its checksum.
 *
 * @param <R> what one update reports
 * @param <L> one metrics row
 */
public abstract class TrainingRun<R, L extends TrainingRun.Row> {
    public static final String CHECKPOINT = "checkpoint.safetensors";
    public static final String METRICS = "metrics.csv";
    public static final String RUN = "run.json";
    public static final String COST = "cost.json";
    /** The folder of time-mark snapshots ({@link #snapshotEvery}). */
    public static final String SNAPSHOTS = "snapshots";
    private static final String SETTINGS = "run.settings";
    private static final String THREADS = "threads";
    private static final String ATTENTION = "attention_kernel";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The run.json in {@code dir} (the run's recipe: model, training settings, pairs, versions), or a missing node when
     * the folder has none (a run evaluated but trained elsewhere).
     */
    public static JsonNode record(Path dir) {
        Path f = dir.resolve(RUN);
        try {
            return Files.isRegularFile(f) ? JSON.readTree(f.toFile())
                    : com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    /** What a run does with a folder that already holds one. */
    public enum Start {
        /** Refuse it. */
        FRESH,
        /** Continue from its checkpoint (from step 0 when it has none); refuse changed settings. */
        RESUME,
        /** Continue from its checkpoint, accepting settings that differ from the checkpoint's. */
        RESUME_WITH_CHANGES,
        /** Delete it and start again. */
        OVERWRITE;

        /** RESUME for true, FRESH for false. */
        public static Start resume(boolean resume) {
            return resume ? RESUME : FRESH;
        }

        boolean resumes() {
            return this == RESUME || this == RESUME_WITH_CHANGES;
        }
    }

    /** One metrics row: its step and its CSV columns after the step. */
    public interface Row {
        long step();

        String csv();
    }

    /** Training time and peak memory so far, over all sessions of a run (carried in its checkpoint). */
    public record Cost(long steps, double trainSeconds, long peakRssMiB) {
        /** The cost record in a run's folder, or null when it has none. */
        public static Cost read(Path runDir) {
            Path f = runDir.resolve(COST);
            if (!Files.isRegularFile(f)) {
                return null;
            }
            try {
                JsonNode n = JSON.readTree(f.toFile());
                return new Cost(n.get("steps").asLong(), n.get("train_seconds").asDouble(),
                        n.get("peak_rss_mib").asLong());
            } catch (IOException | RuntimeException e) {
                throw new Get4jException(f + " is not a readable cost record: " + e.getMessage());
            }
        }

        /** The cost record in a run's folder; a clear error naming the folder when the run was never trained. */
        public static Cost require(Path runDir) {
            Cost c = read(runDir);
            if (c == null) {
                throw new Get4jException(runDir + " holds no training cost record (" + COST + "): train it first");
            }
            return c;
        }
    }

    protected final Path dir;
    private final long steps;
    private final long seed;
    private final int logEvery;
    private final int checkpointEvery;
    private double priorSeconds;
    private long priorPeakRss;
    private long sessionStart;
    private int snapshotEvery;
    private double timeBudget;
    private double nextMark;
    private LongSupplier clock = System::nanoTime;

    protected TrainingRun(Path dir, long steps, long seed, int logEvery, int checkpointEvery) {
        this.dir = dir;
        this.steps = steps;
        this.seed = seed;
        this.logEvery = logEvery;
        this.checkpointEvery = checkpointEvery;
    }

    /**
     * Also writes the run's state at every {@code seconds} of training time, summed over sessions, as
     * {@code snapshots/t-<mark>s.safetensors} (a checkpoint with its step, mark and training seconds), so that
     * quality can be plotted against training time. 0: none. Which step reaches a mark depends on the machine; the
     * run itself does not.
     */
    public TrainingRun<R, L> snapshotEvery(int seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("snapshot interval " + seconds + " s");
        }
        this.snapshotEvery = seconds;
        return this;
    }

    /**
     * Stops the run, with a checkpoint, once its training time summed over sessions reaches {@code seconds}, before
     * the step count if need be: runs compared at equal time (0: no limit). A resumed run continues to the same total.
     */
    public TrainingRun<R, L> timeBudget(double seconds) {
        if (!(seconds >= 0)) {
            throw new IllegalArgumentException("time budget " + seconds + " s");
        }
        this.timeBudget = seconds;
        return this;
    }

    /** The clock training time is read from, in nanoseconds (tests pass a fake one). */
    protected void useClock(LongSupplier nanos) {
        this.clock = nanos;
    }

    /** A time-mark snapshot: its file, the mark it was written at, and the step and training seconds it holds. */
    public record Snapshot(Path file, double markSeconds, long step, double trainSeconds) {}

    /** The snapshots in a run's folder, in order of their marks. */
    public static List<Snapshot> snapshots(Path runDir) {
        Path folder = runDir.resolve(SNAPSHOTS);
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (java.util.stream.Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().matches("t-\\d+s\\.safetensors")).map(f -> {
                Map<String, String> m = SafeTensors.metadata(f);
                return new Snapshot(f, Double.parseDouble(m.get("mark_seconds")), Long.parseLong(m.get("step")),
                        Double.parseDouble(m.get("train_seconds")));
            }).sorted(java.util.Comparator.comparingDouble(Snapshot::markSeconds)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- what a kind of run supplies ----

    /** run.json: the run's kind, configuration and data (the versions are added here). */
    protected abstract Map<String, Object> runRecord();

    /** What gives the run its meaning, compared on resume: the recipe without the step count and cadences. */
    protected abstract Map<String, Object> settings();

    /** Builds the model, its EMA and the optimiser; the engine is seeded with the run's seed before. */
    protected abstract void initialise(NDManager manager);

    /** One update on the batch of step k (0-based), EMA included; arrays it makes are closed after it. */
    protected abstract R update(NDManager batchManager, long k);

    /** The metrics columns after "step". */
    protected abstract String header();

    /** The row of the updates since the last one. */
    protected abstract L summarise(long step, List<R> window, double imagesPerSecond, long elapsedMillis);

    /** Writes weights, EMA and optimiser state with {@code metadata} to {@code file} (atomically). */
    protected abstract void writeCheckpoint(Path file, Map<String, String> metadata);

    /** Restores weights, EMA and optimiser state, refusing a checkpoint of another model or other data. */
    protected abstract void restore(SafeTensors.Contents checkpoint, Path file);

    /** How many examples one update sees (for the rate in the metrics). */
    protected abstract int batch();

    // ---- the loop ----

    public Path checkpointFile() {
        return dir.resolve(CHECKPOINT);
    }

    public Path metricsFile() {
        return dir.resolve(METRICS);
    }

    /** The step {@link #train} starts from: the checkpoint's when resuming from one, else 0. */
    public long startStep(Start start) {
        if (!start.resumes() || !Files.isRegularFile(checkpointFile())) {
            return 0;
        }
        return checkpointStep();
    }

    public long startStep(boolean resume) {
        return startStep(Start.resume(resume));
    }

    /** As {@link #train(NDManager, Start, Consumer)} with RESUME for true and FRESH for false. */
    public void train(NDManager manager, boolean resume, Consumer<L> progress) {
        train(manager, Start.resume(resume), progress);
    }

    /** Trains to the configured step count. */
    public void train(NDManager manager, Start start, Consumer<L> progress) {
        RunFiles.ensureDir(dir);
        try (FolderLock lock = FolderLock.acquire(dir, "training run")) {
            trainLocked(manager, start, progress);
        }
    }

    private void trainLocked(NDManager manager, Start start, Consumer<L> progress) {
        long from = prepare(start);
        manager.getEngine().setRandomSeed((int) seed); // the initial weights are part of the run
        initialise(manager);
        priorSeconds = 0;
        priorPeakRss = 0;
        if (from > 0) {
            SafeTensors.Contents checkpoint = SafeTensors.read(checkpointFile());
            restore(checkpoint, checkpointFile());
            priorSeconds = Double.parseDouble(checkpoint.metadata().getOrDefault("train_seconds", "0"));
            priorPeakRss = Long.parseLong(checkpoint.metadata().getOrDefault("peak_rss_mib", "0"));
            keepMetricsUpTo(from);
        } else {
            Map<String, Object> record = new LinkedHashMap<>(runRecord());
            if (timeBudget > 0 || snapshotEvery > 0) { // how this run is meant to be compared (not part of its recipe)
                record.put("time_budget_seconds", timeBudget);
                record.put("snapshot_every_seconds", snapshotEvery);
            }
            if (AttentionKernel.current() != AttentionKernel.JAVA) { // same recipe, other rounding (sdpa)
                record.put(ATTENTION, AttentionKernel.current().id());
            }
            record.put("versions", Map.of("get4j", Versions.get4j(), "djl", Versions.djl(), "pytorch",
                    Versions.pytorch(), "java", Versions.java()));
            RunFiles.writeJson(dir.resolve(RUN), record);
            RunFiles.writeText(metricsFile(), "step," + header() + "\n");
        }
        sessionStart = clock.getAsLong();
        nextMark = snapshotEvery > 0 ? (Math.floor(priorSeconds / snapshotEvery) + 1) * snapshotEvery : 0;
        Memory.resetPeaks(); // this run's peak, not that of whatever ran before in this process (a notebook)
        long window = sessionStart;
        List<R> updates = new ArrayList<>();
        for (long k = from; k < steps && !(timeBudget > 0 && priorSeconds >= timeBudget); k++) {
            manager.getEngine().setRandomSeed((int) (seed * 1_000_003L + k));
            try (NDScope scope = new NDScope(); NDManager batchManager = manager.newSubManager()) {
                updates.add(update(batchManager, k));
            }
            long done = k + 1;
            boolean stop = outOfTime(); // read once: the step that reaches the budget is logged and checkpointed
            if (done % logEvery == 0 || done == steps || stop) {
                long now = clock.getAsLong();
                L row = summarise(done, updates, updates.size() * (double) batch() / ((now - window) / 1e9),
                        (now - sessionStart) / 1_000_000);
                RunFiles.appendText(metricsFile(), done + "," + row.csv() + "\n");
                progress.accept(row);
                updates.clear();
                window = clock.getAsLong();
            }
            if (done % checkpointEvery == 0 || done == steps || stop) {
                checkpoint(done);
            }
            if (snapshotEvery > 0 && trainedSeconds() >= nextMark) {
                double mark = Math.floor(trainedSeconds() / snapshotEvery) * snapshotEvery; // the latest mark passed
                snapshot(done, mark);
                nextMark = mark + snapshotEvery;
            } else if (stop && snapshotEvery > 0) { // the state at the budget, when it is not a mark itself
                snapshot(done, timeBudget);
            }
            if (stop) {
                break;
            }
        }
    }

    /** Checks the folder against {@code start}, then clears it when asked to overwrite; the step to start from. */
    private long prepare(Start start) {
        long from = checkFolder(start);
        if (start == Start.OVERWRITE) {
            for (String f : List.of(CHECKPOINT, METRICS, RUN, COST)) {
                RunFiles.delete(dir.resolve(f));
            }
            for (Snapshot old : snapshots(dir)) {
                RunFiles.delete(old.file());
            }
            RunFiles.delete(dir.resolve("fd-vs-time.csv")); // the scores of those snapshots (get4j curve)
        }
        return from;
    }

    /**
     * The refusals of {@link #train} without changing anything, so a front end can say them before it draws a
     * progress bar: a fresh start into a folder that holds a run, a resume with other settings, a corrupt or edited
     * checkpoint, another process writing the folder. Returns the step the run would start from.
     */
    public long check(Start start) {
        FolderLock.requireFree(dir, "training run");
        return checkFolder(start);
    }

    private long checkFolder(Start start) {
        boolean holdsRun = Files.exists(checkpointFile()) || Files.exists(metricsFile())
                || Files.exists(dir.resolve(RUN));
        if (start == Start.OVERWRITE) {
            return 0;
        }
        if (!start.resumes()) {
            if (holdsRun) {
                String where = Files.exists(checkpointFile()) ? "a checkpoint at step " + checkpointStep()
                        : "a run without a checkpoint yet";
                throw new Get4jException(dir + " already holds " + where + ": resume it, replace it (get4j train "
                        + "and teacher train: --resume or --overwrite), or choose another folder");
            }
            return 0;
        }
        if (!Files.isRegularFile(checkpointFile())) {
            return 0;
        }
        Map<String, String> recorded = SafeTensors.metadata(checkpointFile()); // the header once, checksum verified
        long at = stepOf(recorded); // past the steps asked for: nothing to train (a rerun notebook's early chunks)
        if (start == Start.RESUME) {
            List<String> changed = changedSettings(recorded.get(SETTINGS));
            if (!changed.isEmpty()) {
                throw new Get4jException(checkpointFile() + " was trained with other settings (" + String.join("; ",
                        changed) + "): resume with the same values, or accept the change (get4j: --allow-changes)");
            }
        }
        return at;
    }

    /**
     * When a resume would run with another intra-op thread count or attention kernel than the checkpoint was written
     * with, what that means; else empty. Resume is bit-exact at the same count (tested with 1 and 2 threads by
     * environment/kill-resume); another count changes the order of libtorch's parallel sums, so the run then
     * differs from an uninterrupted one in the last bits.
     */
    public java.util.Optional<String> threadsNote(Start start) {
        if (!start.resumes() || !Files.isRegularFile(checkpointFile())) {
            return java.util.Optional.empty();
        }
        Map<String, String> meta = SafeTensors.metadata(checkpointFile());
        String was = meta.get(THREADS);
        int now = TorchRuntime.threads();
        String kernelWas = meta.getOrDefault(ATTENTION, AttentionKernel.JAVA.id()); // (older checkpoints: java)
        String kernelNow = AttentionKernel.current().id();
        List<String> notes = new java.util.ArrayList<>();
        if (was != null && !was.equals(Integer.toString(now))) {
            notes.add(checkpointFile() + " was written with " + was + " thread(s), this resume uses " + now
                    + ": parallel sums change order, so the result will differ from an uninterrupted run in the "
                    + "last bits (set GET4J_THREADS=" + was + " for a bit-exact resume)");
        }
        if (!kernelWas.equals(kernelNow)) {
            notes.add(checkpointFile() + " was trained with the " + kernelWas + " attention kernel, this resume uses "
                    + kernelNow + ": the result will differ from an uninterrupted run (set GET4J_ATTENTION="
                    + kernelWas + " for a bit-exact resume)");
        }
        return notes.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(String.join("; ", notes));
    }

    private long checkpointStep() {
        return stepOf(SafeTensors.metadata(checkpointFile()));
    }

    private long stepOf(Map<String, String> metadata) {
        String step = metadata.get("step");
        try {
            return Long.parseLong(step);
        } catch (NumberFormatException e) {
            throw new Get4jException(checkpointFile() + ": metadata 'step' is " + step + ", not a step number");
        }
    }

    /** "name: was a, now b" for each setting that differs from the checkpoint's (none when it recorded none). */
    private List<String> changedSettings(String recordedJson) {
        if (recordedJson == null) {
            return List.of();
        }
        try {
            JsonNode was = JSON.readTree(recordedJson);
            JsonNode now = JSON.readTree(JSON.writeValueAsString(settings())); // parsed as the recorded one was
            List<String> changed = new ArrayList<>();
            TreeSet<String> names = new TreeSet<>();
            was.fieldNames().forEachRemaining(names::add);
            now.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                if (!was.path(name).equals(now.path(name))) {
                    changed.add(name + ": was " + was.path(name) + ", now " + now.path(name));
                }
            }
            return changed;
        } catch (IOException e) {
            throw new Get4jException(checkpointFile() + ": unreadable " + SETTINGS + ": " + e.getMessage());
        }
    }

    private boolean outOfTime() {
        return timeBudget > 0 && trainedSeconds() >= timeBudget;
    }

    /** Training time over all sessions so far. */
    private double trainedSeconds() {
        return priorSeconds + (clock.getAsLong() - sessionStart) / 1e9;
    }

    private void snapshot(long step, double mark) {
        Map<String, String> meta = metadata(step, cost(step));
        meta.put("mark_seconds", Double.toString(mark));
        RunFiles.ensureDir(dir.resolve(SNAPSHOTS));
        writeCheckpoint(dir.resolve(SNAPSHOTS).resolve(String.format("t-%06ds.safetensors", Math.round(mark))), meta);
    }

    private Cost cost(long step) {
        return new Cost(step, trainedSeconds(), Math.max(priorPeakRss, Memory.peakRssMiB()));
    }

    private void checkpoint(long step) {
        Cost cost = cost(step);
        writeCheckpoint(checkpointFile(), metadata(step, cost));
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("steps", cost.steps());
        c.put("train_seconds", cost.trainSeconds());
        c.put("peak_rss_mib", cost.peakRssMiB());
        RunFiles.writeJson(dir.resolve(COST), c);
    }

    /** What a checkpoint records beside the tensors; its step among them (covered by the checksum). */
    private Map<String, String> metadata(long step, Cost cost) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("step", Long.toString(step));
        meta.put("train_seconds", String.format(java.util.Locale.ROOT, "%.3f", cost.trainSeconds()));
        meta.put("peak_rss_mib", Long.toString(cost.peakRssMiB()));
        meta.put(THREADS, Integer.toString(TorchRuntime.threads()));
        meta.put(ATTENTION, AttentionKernel.current().id());
        try {
            meta.put(SETTINGS, JSON.writeValueAsString(settings()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return meta;
    }

    /** The tensors of a checkpoint under {@code prefix} ("model.", "ema."), with the prefix removed. */
    protected static Map<String, HostTensor> under(String prefix, Map<String, HostTensor> tensors) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    /** Drops metric rows logged after the checkpoint a resumed run continues from (they will be logged again). */
    private void keepMetricsUpTo(long step) {
        try {
            if (!Files.isRegularFile(metricsFile())) {
                RunFiles.writeText(metricsFile(), "step," + header() + "\n");
                return;
            }
            List<String> lines = Files.readAllLines(metricsFile());
            StringBuilder kept = new StringBuilder(lines.get(0)).append('\n');
            for (String line : lines.subList(1, lines.size())) {
                if (!line.isBlank() && Long.parseLong(line.substring(0, line.indexOf(','))) <= step) {
                    kept.append(line).append('\n');
                }
            }
            RunFiles.writeText(metricsFile(), kept.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
