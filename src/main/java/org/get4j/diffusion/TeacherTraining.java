package org.get4j.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.get4j.Get4jException;
import org.get4j.InvalidValueException;
import org.get4j.data.ImageSet;
import org.get4j.io.Checksums;
import org.get4j.io.HostTensor;
import org.get4j.io.SafeTensors;
import org.get4j.optim.AdamW;
import org.get4j.optim.Ema;
import org.get4j.optim.Gradients;
import org.get4j.optim.TrainingRun;
import org.get4j.runtime.Versions;

/**
 * Trains a neural EDM teacher on a dataset: EDM's loss (log-normal noise levels, lambda weighting), AdamW with a
 * linear warm-up and an EMA of the weights (the teacher users get), inside the loop every training run shares
 * ({@link TrainingRun}: batch indices and noise are functions of (seed, step), checkpoints, exact resume, metrics,
 * cost). With every checkpoint and at the end the EMA teacher is also written to {@code teacher.safetensors}.
 */
public final class TeacherTraining extends TrainingRun<Double, TeacherTraining.Log> {
    /** Settings of a run. */
    public record Settings(int steps, int batch, double lr, int warmup, double emaDecay, int checkpointEvery,
            long seed, int logEvery, double classLrScale, double pMean, double pStd) {
        /** EDM's noise levels (P_mean -1.2, P_std 1.2) and one learning rate for all parameters. */
        public Settings(int steps, int batch, double lr, int warmup, double emaDecay, int checkpointEvery, long seed,
                int logEvery) {
            this(steps, batch, lr, warmup, emaDecay, checkpointEvery, seed, logEvery, 1, EdmLoss.P_MEAN,
                    EdmLoss.P_STD);
        }

        public Settings {
            check(steps >= 1, "steps", steps, "at least 1");
            check(batch >= 1, "batch", batch, "at least 1");
            check(lr > 0 && Double.isFinite(lr), "lr", lr, "a finite number > 0");
            check(warmup >= 0, "warmup", warmup, ">= 0");
            check(emaDecay > 0 && emaDecay < 1, "ema_decay", emaDecay, "in (0, 1)");
            check(checkpointEvery >= 1, "checkpoint_every", checkpointEvery, "at least 1");
            check(logEvery >= 1, "log_every", logEvery, "at least 1");
            check(classLrScale > 0 && Double.isFinite(classLrScale), "class_lr_scale", classLrScale,
                    "a finite number > 0");
            check(Double.isFinite(pMean), "p_mean", pMean, "a finite number");
            check(pStd > 0 && Double.isFinite(pStd), "p_std", pStd, "a finite number > 0");
        }

        private static void check(boolean ok, String key, Object value, String expected) {
            InvalidValueException.require(ok, "teacher training", key, value, expected);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("steps", steps);
            m.put("batch", batch);
            m.put("lr", lr);
            m.put("warmup", warmup);
            m.put("ema_decay", emaDecay);
            m.put("checkpoint_every", checkpointEvery);
            m.put("seed", seed);
            m.put("class_lr_scale", classLrScale);
            m.put("p_mean", pMean);
            m.put("p_std", pStd);
            return m;
        }

        /** The learning rate of step k: linear warm-up, then constant. */
        double lrAt(long k) {
            return lr * Math.min(1.0, (k + 1.0) / Math.max(1, warmup));
        }
    }

    private final EdmTeacher.Config config;
    private final Settings settings;
    private final ImageSet data;
    private final Path warmStart; // a teacher to start from (null: the U-Net's own initialisation)
    private final String warmStartSha256;
    private EdmTeacher model;
    private EdmTeacher ema;
    private AdamW optimizer;
    private Ema average;

    public TeacherTraining(EdmTeacher.Config config, Settings settings, ImageSet data, Path dir) {
        this(config, settings, data, dir, null);
    }

    /**
     * A run that starts from the weights of the teacher in {@code warmStart} ({@link EdmTeacher#warmStartFrom}: a
     * conditional teacher from an unconditional one, its class embedding at zero), or from the U-Net's own
     * initialisation when it is null. The file's SHA-256 is part of the run's settings, so a resume from another file
     * is refused.
     */
    public TeacherTraining(EdmTeacher.Config config, Settings settings, ImageSet data, Path dir, Path warmStart) {
        super(dir, settings.steps(), settings.seed(), settings.logEvery(), settings.checkpointEvery());
        if (data.channels() != config.channels() || data.height() != config.imageSize()) {
            throw new Get4jException("data " + data + " does not fit the teacher " + config);
        }
        this.config = config;
        this.settings = settings;
        this.data = data;
        this.warmStart = warmStart;
        if (warmStart != null && !java.nio.file.Files.isRegularFile(warmStart)) {
            throw new Get4jException("warm start: no teacher file at " + warmStart);
        }
        this.warmStartSha256 = warmStart == null ? null : Checksums.sha256(warmStart);
    }

    public Path teacherFile() {
        return dir.resolve("teacher.safetensors");
    }

    /** One logged step. */
    public record Log(long step, double loss, double lr, double imagesPerSecond) implements TrainingRun.Row {
        @Override
        public String csv() {
            return String.format("%.6f,%.6g,%.2f", loss, lr, imagesPerSecond);
        }
    }

    /**
     * Trains to {@code settings.steps} (see {@link TrainingRun.Start}). Returns the EMA teacher, also written to
     * teacher.safetensors.
     */
    public EdmTeacher run(NDManager manager, Start start, Consumer<Log> progress) {
        train(manager, start, progress);
        saveTeacher("" + settings.steps());
        return EdmTeacher.load(manager, teacherFile());
    }

    /** As {@link #run(NDManager, Start, Consumer)}: resume from the checkpoint if there is one, or refuse a used folder. */
    public EdmTeacher run(NDManager manager, boolean resume, Consumer<Log> progress) {
        return run(manager, Start.resume(resume), progress);
    }

    @Override
    protected void initialise(NDManager manager) {
        model = new EdmTeacher(config, manager);
        if (warmStart != null) {
            try (NDManager source = manager.newSubManager()) { // copied through host memory: freed at once
                model.warmStartFrom(EdmTeacher.load(source, warmStart));
            }
        }
        ema = new EdmTeacher(config, manager);
        optimizer = AdamW.withDefaults(model.parameterArrays(), 0);
        // the class table starts at zero (warm start) and Adam moves it by about lr a step: a learning rate of its
        // own lets the label's embedding reach the noise embedding's scale sooner (data/README.md measures it)
        model.classTable().ifPresent(t -> optimizer.scaleLearningRate(t, settings.classLrScale()));
        average = new Ema(ema.parameterArrays(), model.parameterArrays(), settings.emaDecay(), true);
        average.reset();
    }

    /** EDM's loss on the batch of step k, one AdamW update, the EMA. */
    @Override
    protected Double update(NDManager batchManager, long k) {
        double loss;
        try (GradientCollector gc = batchManager.getEngine().newGradientCollector()) {
            int[] indices = batchIndices(k);
            NDArray y = data.toFloat(batchManager, indices);
            NDArray labels = config.numClasses() > 0 ? labelsOf(batchManager, indices) : null;
            NDArray l = EdmLoss.loss(model, y, labels, settings.pMean(), settings.pStd());
            gc.backward(l);
            loss = l.getFloat();
            // a non-finite loss or gradient would put NaN into the weights, the moments and the EMA, and the next
            // checkpoint would keep them: stop before the update, so the last checkpoint stays usable
            requireFinite(k + 1, loss, Gradients.squaredNorm(model.parameterArrays()), dir);
        }
        optimizer.step(settings.lrAt(k));
        average.update(k);
        return loss;
    }

    /** Stops the run (before the update of {@code step}) when its loss or gradient is NaN or infinite. */
    static void requireFinite(long step, double loss, double gradientSquaredNorm, Path dir) {
        if (!Double.isFinite(loss) || !Double.isFinite(gradientSquaredNorm)) {
            throw new Get4jException("teacher training: at step " + step + " the EDM loss is " + loss
                    + (Double.isFinite(loss) ? " but a gradient is not finite" : "")
                    + "; the run stops before its update, and its last checkpoint in " + dir + " is intact");
        }
    }

    @Override
    protected int batch() {
        return settings.batch();
    }

    @Override
    protected String header() {
        return "loss,lr,images_per_second";
    }

    @Override
    protected Log summarise(long step, List<Double> window, double imagesPerSecond, long elapsedMillis) {
        return new Log(step, window.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN),
                settings.lrAt(step - 1), imagesPerSecond);
    }

    /** The batch of one step: a pure function of (seed, step), so a resumed run sees the same data. */
    int[] batchIndices(long step) {
        Random r = new Random(settings.seed() * 7_919L + step);
        int[] idx = new int[settings.batch()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = r.nextInt(data.size());
        }
        return idx;
    }

    private NDArray labelsOf(NDManager manager, int[] indices) {
        long[] y = new long[indices.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = data.label(indices[i]);
        }
        return manager.create(y);
    }

    @Override
    protected Map<String, Object> runRecord() {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("kind", "edm-teacher-training");
        run.put("teacher", config.toString());
        run.put("settings", settings.toMap());
        run.put("data", data.toString());
        if (warmStart != null) {
            run.put("warm_start", Map.of("file", warmStart.toString(), "sha256", warmStartSha256));
        }
        return run;
    }

    @Override
    protected Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>(settings.toMap());
        s.remove("steps");
        s.remove("checkpoint_every");
        // settings added later are compared only when set, so a run checkpointed before them still resumes
        if (settings.classLrScale() == 1) {
            s.remove("class_lr_scale");
        }
        if (settings.pMean() == EdmLoss.P_MEAN && settings.pStd() == EdmLoss.P_STD) {
            s.remove("p_mean");
            s.remove("p_std");
        }
        if (warmStart != null) {
            s.put("warm_start_sha256", warmStartSha256);
        }
        return s;
    }

    @Override
    protected void writeCheckpoint(Path file, Map<String, String> metadata) {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> t.put("model." + k, v));
        ema.stateDict().forEach((k, v) -> t.put("ema." + k, v));
        t.putAll(optimizer.stateTensors());
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("opt.steps", Long.toString(optimizer.steps()));
        meta.put("config", config.toString());
        SafeTensors.write(file, t, meta);
        saveTeacher(metadata.get("step")); // the EMA teacher so far: it can be sampled and scored while the run goes on
    }

    private void saveTeacher(String steps) {
        Map<String, String> meta = new LinkedHashMap<>(Map.of("steps", steps, "seed", "" + settings.seed(),
                "dataset", data.name(), "get4j.version", Versions.get4j()));
        if (warmStart != null) {
            meta.put("warm_start_sha256", warmStartSha256);
        }
        ema.save(teacherFile(), meta);
    }

    @Override
    protected void restore(SafeTensors.Contents c, Path file) {
        if (!config.toString().equals(c.metadata().get("config"))) {
            throw new Get4jException(file + " was written for teacher " + c.metadata().get("config")
                    + ", not " + config + ": use another --out or drop --resume");
        }
        model.loadStateDict(under("model.", c.tensors()), file.toString());
        ema.loadStateDict(under("ema.", c.tensors()), file.toString());
        optimizer.restore(Long.parseLong(c.metadata().get("opt.steps")), c.tensors());
    }
}
