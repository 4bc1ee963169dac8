package org.get4j.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.get4j.Get4jException;
import org.get4j.data.ImageSet;
import org.get4j.io.HostTensor;
import org.get4j.io.RunFiles;
import org.get4j.io.SafeTensors;
import org.get4j.optim.AdamW;
import org.get4j.optim.Ema;
import org.get4j.runtime.Versions;

/**
 * Trains a neural EDM teacher on a dataset: EDM's loss (log-normal noise levels, lambda weighting), AdamW with a
 * linear warm-up, an EMA of the weights (the teacher users get), checkpoints every N steps (written atomically) and
 * an exact resume: batch indices and noise are pure functions of (seed, step).
 */
public final class TeacherTraining {
    /** Settings of a run. */
    public record Settings(int steps, int batch, double lr, int warmup, double emaDecay, int checkpointEvery,
            long seed, int logEvery) {
        public Settings {
            if (steps < 1 || batch < 1 || !(lr > 0) || warmup < 0 || !(emaDecay > 0 && emaDecay < 1)
                    || checkpointEvery < 1 || logEvery < 1) {
                throw new Get4jException("teacher training: invalid settings " + this);
            }
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
            return m;
        }
    }

    private final EdmTeacher.Config config;
    private final Settings settings;
    private final ImageSet data;
    private final Path dir;

    public TeacherTraining(EdmTeacher.Config config, Settings settings, ImageSet data, Path dir) {
        if (data.channels() != config.channels() || data.height() != config.imageSize()) {
            throw new Get4jException("data " + data + " does not fit the teacher " + config);
        }
        this.config = config;
        this.settings = settings;
        this.data = data;
        this.dir = dir;
    }

    public Path checkpointFile() {
        return dir.resolve("checkpoint.safetensors");
    }

    public Path teacherFile() {
        return dir.resolve("teacher.safetensors");
    }

    /** One logged step. */
    public record Log(int step, double loss, double lr, double imagesPerSecond) {}

    /**
     * Trains to {@code settings.steps}, resuming from the checkpoint when {@code resume} and one exists.
     * Returns the EMA teacher, also written to teacher.safetensors.
     */
    public EdmTeacher run(NDManager manager, boolean resume, Consumer<Log> progress) {
        RunFiles.ensureDir(dir);
        manager.getEngine().setRandomSeed((int) settings.seed()); // the initial weights are part of the run
        EdmTeacher model = new EdmTeacher(config, manager);
        EdmTeacher ema = new EdmTeacher(config, manager);
        List<NDArray> weights = model.parameterArrays();
        AdamW optimizer = AdamW.withDefaults(weights, 0);
        Ema average = new Ema(ema.parameterArrays(), weights, settings.emaDecay(), true);
        average.reset();
        int start = 0;
        if (resume && Files.isRegularFile(checkpointFile())) {
            start = restore(model, ema, optimizer);
        } else {
            writeRunRecord();
        }
        Path log = dir.resolve("train-log.csv");
        if (start == 0) {
            RunFiles.writeText(log, "step,loss,lr,images_per_second\n");
        }
        long windowStart = System.nanoTime();
        double windowLoss = 0;
        int windowSteps = 0;
        for (int step = start; step < settings.steps(); step++) {
            manager.getEngine().setRandomSeed((int) (settings.seed() * 1_000_003L + step));
            double lr = settings.lr() * Math.min(1.0, (step + 1.0) / Math.max(1, settings.warmup()));
            try (NDScope scope = new NDScope(); GradientCollector gc = manager.getEngine().newGradientCollector()) {
                int[] indices = batchIndices(step);
                NDArray y = data.toFloat(manager, indices);
                NDArray labels = config.numClasses() > 0 ? labelsOf(manager, indices) : null;
                NDArray loss = EdmLoss.loss(model, y, labels);
                gc.backward(loss);
                windowLoss += loss.getFloat();
            }
            optimizer.step(lr);
            average.update(step);
            windowSteps++;
            int done = step + 1;
            if (done % settings.logEvery() == 0 || done == settings.steps()) {
                double seconds = (System.nanoTime() - windowStart) / 1e9;
                Log entry = new Log(done, windowLoss / windowSteps, lr, windowSteps * settings.batch() / seconds);
                RunFiles.appendText(log, String.format("%d,%.6f,%.6g,%.2f%n", entry.step(), entry.loss(), entry.lr(),
                        entry.imagesPerSecond()));
                progress.accept(entry);
                windowStart = System.nanoTime();
                windowLoss = 0;
                windowSteps = 0;
            }
            if (done % settings.checkpointEvery() == 0 || done == settings.steps()) {
                checkpoint(model, ema, optimizer, done);
            }
        }
        ema.save(teacherFile(), Map.of("steps", "" + settings.steps(), "seed", "" + settings.seed(),
                "dataset", data.name(), "get4j.version", Versions.get4j()));
        return EdmTeacher.load(manager, teacherFile());
    }

    /** The batch of one step: a pure function of (seed, step), so a resumed run sees the same data. */
    int[] batchIndices(int step) {
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

    private void checkpoint(EdmTeacher model, EdmTeacher ema, AdamW optimizer, int step) {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> t.put("model." + k, v));
        ema.stateDict().forEach((k, v) -> t.put("ema." + k, v));
        t.putAll(optimizer.stateTensors());
        SafeTensors.write(checkpointFile(), t, Map.of("step", "" + step, "opt.steps", "" + optimizer.steps(),
                "settings", settings.toMap().toString(), "config", config.toString()));
    }

    private int restore(EdmTeacher model, EdmTeacher ema, AdamW optimizer) {
        SafeTensors.Contents c = SafeTensors.read(checkpointFile());
        if (!config.toString().equals(c.metadata().get("config"))) {
            throw new Get4jException(checkpointFile() + " was written for teacher " + c.metadata().get("config")
                    + ", not " + config + ": use another --out or drop --resume");
        }
        Map<String, HostTensor> modelSd = new LinkedHashMap<>();
        Map<String, HostTensor> emaSd = new LinkedHashMap<>();
        c.tensors().forEach((k, v) -> {
            if (k.startsWith("model.")) {
                modelSd.put(k.substring(6), v);
            } else if (k.startsWith("ema.")) {
                emaSd.put(k.substring(4), v);
            }
        });
        model.loadStateDict(modelSd, checkpointFile().toString());
        ema.loadStateDict(emaSd, checkpointFile().toString());
        optimizer.restore(Long.parseLong(c.metadata().get("opt.steps")), c.tensors());
        return Integer.parseInt(c.metadata().get("step"));
    }

    private void writeRunRecord() {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("kind", "edm-teacher-training");
        run.put("teacher", config.toString());
        run.put("settings", settings.toMap());
        run.put("data", data.toString());
        run.put("get4j", Versions.get4j());
        run.put("djl", Versions.djl());
        run.put("pytorch", Versions.pytorch());
        run.put("java", Versions.java());
        RunFiles.writeJson(dir.resolve("run.json"), run);
    }
}
