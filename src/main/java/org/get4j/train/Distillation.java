package org.get4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.get4j.Get4jException;
import org.get4j.io.Checksums;
import org.get4j.io.HostTensor;
import org.get4j.io.RunFiles;
import org.get4j.io.SafeTensors;
import org.get4j.model.Checkpoints;
import org.get4j.model.Generator;
import org.get4j.model.ModelConfig;
import org.get4j.optim.AdamW;
import org.get4j.optim.Ema;
import org.get4j.optim.NonFiniteGuard;
import org.get4j.pairs.PairManifest;
import org.get4j.pairs.PairStore;
import org.get4j.pairs.Pairs;
import org.get4j.runtime.Memory;
import org.get4j.runtime.Versions;

/**
 * Offline distillation: the student learns the teacher's noise-to-image map from a pair store. Batches, initial
 * states and model initialisation are pure functions of (seed, step), so a run resumed from a checkpoint equals an
 * uninterrupted one bit for bit on the CPU. Writes into its folder: {@code run.json} (full configuration, data
 * manifest checksum, versions), {@code metrics.csv} (one row per logged step, read directly by Tablesaw),
 * {@code checkpoint.safetensors} (model, EMA, optimizer, step; atomic, every N steps and at the end).
 */
public final class Distillation {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ModelConfig modelConfig;
    private final TrainConfig config;
    private final PairStore pairs;
    private final Path dir;

    public Distillation(ModelConfig modelConfig, TrainConfig config, PairStore pairs, Path dir) {
        PairManifest m = pairs.manifest();
        if (m.channels() != modelConfig.channels() || m.imageSize() != modelConfig.imageSize()) {
            throw new Get4jException("pairs in " + pairs.dir() + " are " + m.channels() + "x" + m.imageSize() + "x"
                    + m.imageSize() + "; the model takes " + modelConfig.channels() + "x" + modelConfig.imageSize()
                    + "x" + modelConfig.imageSize());
        }
        if (m.numClasses() != modelConfig.numClasses()) {
            throw new Get4jException("pairs have " + m.numClasses() + " classes, the model " + modelConfig.numClasses()
                    + " (use --classes " + m.numClasses() + ")");
        }
        this.modelConfig = modelConfig;
        this.config = config;
        this.pairs = pairs;
        this.dir = dir;
    }

    public Path checkpointFile() {
        return dir.resolve("checkpoint.safetensors");
    }

    public Path metricsFile() {
        return dir.resolve("metrics.csv");
    }

    /** One logged step (the means over the steps since the last log). */
    public record Log(long step, double[] stateLosses, double loss, double lr, double gradNorm, double imagesPerSecond,
            long elapsedMillis, int skipped) {}

    /**
     * The step {@link #run} will start from: the checkpoint's when resuming from one, else 0. A progress display
     * starts there, so its rate and ETA count only this session's work.
     */
    public long startStep(boolean resume) {
        if (!resume || !Files.isRegularFile(checkpointFile())) {
            return 0;
        }
        return Long.parseLong(SafeTensors.metadata(checkpointFile()).get("step"));
    }

    /** Trains to {@code config.steps()}, resuming from the checkpoint when asked and present. Returns the EMA model. */
    public Generator run(NDManager manager, boolean resume, Consumer<Log> progress) {
        RunFiles.ensureDir(dir);
        String dataSha = Checksums.sha256(pairs.dir().resolve(PairManifest.FILE));
        manager.getEngine().setRandomSeed((int) config.seed());
        Generator model = Generator.create(modelConfig, manager);
        Generator ema = Generator.create(modelConfig, manager);
        AdamW optimizer = AdamW.withDefaults(model.trainableArrays(), config.weightDecay());
        Ema average = new Ema(ema.trainableArrays(), model.trainableArrays(), config.emaDecay(), config.emaWarmup());
        average.reset();
        long start = 0;
        priorSeconds = 0;
        priorPeakRss = 0;
        if (resume && Files.isRegularFile(checkpointFile())) {
            start = restore(model, ema, optimizer, dataSha);
            truncateMetrics(start);
        } else {
            writeRunRecord(dataSha);
            RunFiles.writeText(metricsFile(), header());
        }
        DistillationStep step = new DistillationStep(model, optimizer, config)
                .withGuard(new NonFiniteGuard(NonFiniteGuard.DEFAULT_LIMIT, start));
        ParameterStore ps = new ParameterStore(manager, false);
        long window = System.nanoTime();
        long began = System.nanoTime();
        sessionStart = began;
        Memory.resetPeaks(); // this run's peak, not the peak of whatever ran before in this process (a notebook)
        List<DistillationStep.Result> results = new ArrayList<>();
        for (long k = start; k < config.steps(); k++) {
            manager.getEngine().setRandomSeed((int) (config.seed() * 1_000_003L + k));
            try (NDScope scope = new NDScope(); NDManager batchManager = manager.newSubManager()) {
                Pairs batch = pairs.batch(config.seed(), k, config.batch());
                NDArray noise = batch.noiseArray(batchManager);
                NDArray target = batch.imageArray(batchManager);
                NDArray labels = batch.labelArray(batchManager);
                results.add(step.step(ps, noise, labels, target, null, config.lrAt(k)));
            }
            average.update(k);
            long done = k + 1;
            if (done % config.logEvery() == 0 || done == config.steps()) {
                double seconds = (System.nanoTime() - window) / 1e9;
                Log log = summarise(done, results, config.lrAt(k), results.size() * config.batch() / seconds,
                        (System.nanoTime() - began) / 1_000_000);
                RunFiles.appendText(metricsFile(), row(log));
                progress.accept(log);
                results.clear();
                window = System.nanoTime();
            }
            if (done % config.checkpointEvery() == 0 || done == config.steps()) {
                checkpoint(model, ema, optimizer, done, dataSha);
            }
        }
        return ema;
    }

    /** Drops metric rows logged after the checkpoint a resumed run continues from (they will be logged again). */
    private void truncateMetrics(long step) {
        try {
            if (!Files.isRegularFile(metricsFile())) {
                RunFiles.writeText(metricsFile(), header());
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

    /** One metrics row: means over the window's steps; the gradient norm over the updates that were applied. */
    static Log summarise(long step, List<DistillationStep.Result> results, double lr, double imagesPerSecond,
            long elapsed) {
        int states = results.get(0).stateLosses().length;
        double[] mean = new double[states];
        double loss = 0;
        double grad = 0;
        int skipped = 0;
        for (DistillationStep.Result r : results) {
            skipped += r.skipped() ? 1 : 0;
            for (int s = 0; s < states; s++) {
                mean[s] += r.stateLosses()[s] / results.size();
            }
            loss += r.loss() / results.size();
            grad += r.skipped() ? 0 : r.gradNorm();
        }
        // The mean gradient norm of the applied updates: one skipped step must not turn the window's value into NaN.
        int applied = results.size() - skipped;
        grad = applied > 0 ? grad / applied : Double.NaN;
        return new Log(step, mean, loss, lr, grad, imagesPerSecond, elapsed, skipped);
    }

    private int states() {
        return modelConfig.arch() == ModelConfig.Arch.GET && config.gradient() == TrainConfig.Gradient.PHANTOM
                ? config.unroll() : 1;
    }

    private String header() {
        StringBuilder sb = new StringBuilder("step");
        for (int s = 1; s <= states(); s++) {
            sb.append(",loss_state_").append(s);
        }
        return sb.append(",loss,lr,grad_norm,images_per_second,elapsed_ms,skipped\n").toString();
    }

    private static String row(Log log) {
        StringBuilder sb = new StringBuilder(Long.toString(log.step()));
        for (double l : log.stateLosses()) {
            sb.append(',').append(String.format("%.6f", l));
        }
        return sb.append(String.format(",%.6f,%.6g,%.5f,%.2f,%d,%d%n", log.loss(), log.lr(), log.gradNorm(),
                log.imagesPerSecond(), log.elapsedMillis(), log.skipped())).toString();
    }

    /** Training time and peak memory so far, over all sessions of this run (carried in the checkpoint). */
    public record Cost(long steps, double trainSeconds, long peakRssMiB) {
        /** The cost record beside a run's checkpoint, or null when the run has none. */
        public static Cost read(Path runDir) {
            Path f = runDir.resolve(COST_FILE);
            if (!Files.isRegularFile(f)) {
                return null;
            }
            try {
                com.fasterxml.jackson.databind.JsonNode n = JSON.readTree(f.toFile());
                return new Cost(n.get("steps").asLong(), n.get("train_seconds").asDouble(),
                        n.get("peak_rss_mib").asLong());
            } catch (IOException | RuntimeException e) {
                throw new Get4jException(f + " is not a readable cost record: " + e.getMessage());
            }
        }
    }

    /** Written with every checkpoint: cumulative training seconds and the largest resident memory seen. */
    public static final String COST_FILE = "cost.json";

    private double priorSeconds;
    private long priorPeakRss;
    private long sessionStart;

    private Cost cost(long step) {
        return new Cost(step, priorSeconds + (System.nanoTime() - sessionStart) / 1e9,
                Math.max(priorPeakRss, Memory.peakRssMiB()));
    }

    private void checkpoint(Generator model, Generator ema, AdamW optimizer, long step, String dataSha) {
        Map<String, HostTensor> extra = optimizer.stateTensors();
        Map<String, String> meta = new LinkedHashMap<>();
        Cost cost = cost(step);
        meta.put("train_seconds", String.format("%.3f", cost.trainSeconds()));
        meta.put("peak_rss_mib", Long.toString(cost.peakRssMiB()));
        meta.put("step", Long.toString(step));
        meta.put("opt.steps", Long.toString(optimizer.steps()));
        meta.put("pairs.manifest_sha256", dataSha);
        meta.put("pairs.teacher", pairs.manifest().teacher());
        try {
            meta.put("train_config", JSON.writeValueAsString(config.toMap()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Checkpoints.save(checkpointFile(), model, ema, extra, meta);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("steps", cost.steps());
        c.put("train_seconds", cost.trainSeconds());
        c.put("peak_rss_mib", cost.peakRssMiB());
        RunFiles.writeJson(dir.resolve(COST_FILE), c);
    }

    private long restore(Generator model, Generator ema, AdamW optimizer, String dataSha) {
        SafeTensors.Contents c = SafeTensors.read(checkpointFile());
        ModelConfig recorded = Checkpoints.configOf(c, checkpointFile());
        if (!recorded.equals(modelConfig)) {
            throw new Get4jException(checkpointFile() + " holds a model " + recorded.toMap() + ", not " + modelConfig.toMap());
        }
        if (!dataSha.equals(c.metadata().get("pairs.manifest_sha256"))) {
            throw new Get4jException(checkpointFile() + " was trained on other pairs (manifest SHA-256 "
                    + c.metadata().get("pairs.manifest_sha256") + ", now " + dataSha + ")");
        }
        Map<String, HostTensor> m = new LinkedHashMap<>();
        Map<String, HostTensor> e = new LinkedHashMap<>();
        c.tensors().forEach((k, v) -> {
            if (k.startsWith("model.")) {
                m.put(k.substring(6), v);
            } else if (k.startsWith("ema.")) {
                e.put(k.substring(4), v);
            }
        });
        Checkpoints.loadStateDict(model, m, checkpointFile().toString(), true);
        Checkpoints.loadStateDict(ema, e, checkpointFile().toString(), true);
        optimizer.restore(Long.parseLong(c.metadata().get("opt.steps")), c.tensors());
        priorSeconds = Double.parseDouble(c.metadata().getOrDefault("train_seconds", "0"));
        priorPeakRss = Long.parseLong(c.metadata().getOrDefault("peak_rss_mib", "0"));
        return Long.parseLong(c.metadata().get("step"));
    }

    private void writeRunRecord(String dataSha) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("kind", "distillation");
        run.put("model", modelConfig.toMap());
        run.put("parameters", modelConfig.parameterCount());
        run.put("train", config.toMap());
        run.put("pairs", Map.of("dir", pairs.dir().toString(), "manifest_sha256", dataSha, "teacher",
                pairs.manifest().teacher(), "count", pairs.size()));
        run.put("versions", Map.of("get4j", Versions.get4j(), "djl", Versions.djl(), "pytorch", Versions.pytorch(),
                "java", Versions.java()));
        RunFiles.writeJson(dir.resolve("run.json"), run);
    }
}
