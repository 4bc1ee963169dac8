package org.get4j.train;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.get4j.Get4jException;
import org.get4j.InvalidValueException;
import org.get4j.io.Checksums;
import org.get4j.io.SafeTensors;
import org.get4j.model.Checkpoints;
import org.get4j.model.Generator;
import org.get4j.model.ModelConfig;
import org.get4j.optim.AdamW;
import org.get4j.optim.Ema;
import org.get4j.optim.NonFiniteGuard;
import org.get4j.optim.TrainingRun;
import org.get4j.pairs.PairManifest;
import org.get4j.pairs.PairStore;
import org.get4j.pairs.Pairs;
import org.get4j.runtime.AttentionKernel;
import org.get4j.runtime.Memory;

/**
 * Offline distillation: the student learns the teacher's noise-to-image map from a pair store, one
 * {@link DistillationStep} per batch, inside the loop every training run shares ({@link TrainingRun}: seeded
 * batches, checkpoints, exact resume, metrics, cost). The checkpoint is a get4j checkpoint ({@link Checkpoints})
 * that also holds the optimiser state; {@code run.json} records the pair manifest's checksum.
 */
public final class Distillation extends TrainingRun<DistillationStep.Result, Distillation.Log> {
    private final ModelConfig modelConfig;
    private final TrainConfig config;
    private final PairStore pairs;
    private final String dataSha;
    private Generator model;
    private Generator ema;
    private AdamW optimizer;
    private Ema average;
    private DistillationStep step;
    private ParameterStore ps;

    public Distillation(ModelConfig modelConfig, TrainConfig config, PairStore pairs, Path dir) {
        super(dir, config.steps(), config.seed(), config.logEvery(), config.checkpointEvery());
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
        if (config.jacobianWeight() > 0 && AttentionKernel.current() == AttentionKernel.SDPA) {
            throw new Get4jException("GET4J_ATTENTION=sdpa: the fused attention kernel has no second derivative, which "
                    + "the Jacobian penalty (--jacobian " + config.jacobianWeight() + ") needs; use java or script");
        }
        InvalidValueException.require(config.batch() <= m.count(), "training config", "batch", config.batch(),
                "at most the " + m.count() + " pairs in " + pairs.dir());
        if (MemoryEstimate.checked()) { // what this process holds already is reusable: it counts as available
            MemoryEstimate.of(modelConfig, config).requireFits(config.batch(),
                    Memory.availableMiB() + Math.max(0, Memory.rssMiB()));
        }
        this.modelConfig = modelConfig;
        this.config = config;
        this.pairs = pairs;
        this.dataSha = Checksums.sha256(pairs.dir().resolve(PairManifest.FILE));
    }

    /** One logged step (the means over the steps since the last log). */
    public record Log(long step, double[] stateLosses, double loss, double lr, double gradNorm, double imagesPerSecond,
            long elapsedMillis, int skipped) implements TrainingRun.Row {
        @Override
        public String csv() {
            StringBuilder sb = new StringBuilder();
            for (double l : stateLosses) {
                sb.append(String.format("%.6f,", l));
            }
            return sb.append(String.format("%.6f,%.6g,%.5f,%.2f,%d,%d", loss, lr, gradNorm, imagesPerSecond,
                    elapsedMillis, skipped)).toString();
        }
    }

    /** Trains to {@code config.steps()} (see {@link TrainingRun.Start}); returns the EMA model. */
    public Generator run(NDManager manager, Start start, Consumer<Log> progress) {
        train(manager, start, progress);
        return ema;
    }

    /** As {@link #run(NDManager, Start, Consumer)}: resume from the checkpoint if there is one, or refuse a used folder. */
    public Generator run(NDManager manager, boolean resume, Consumer<Log> progress) {
        return run(manager, Start.resume(resume), progress);
    }

    @Override
    protected void initialise(NDManager manager) {
        model = Generator.create(modelConfig, manager);
        ema = Generator.create(modelConfig, manager);
        optimizer = AdamW.withDefaults(model.trainableArrays(), config.weightDecay());
        average = new Ema(ema.trainableArrays(), model.trainableArrays(), config.emaDecay(), config.emaWarmup());
        average.reset();
        step = new DistillationStep(model, optimizer, config);
        ps = new ParameterStore(manager, false);
    }

    @Override
    protected DistillationStep.Result update(NDManager batchManager, long k) {
        Pairs batch = pairs.batch(config.seed(), k, config.batch());
        DistillationStep.Result r = step.step(ps, batch.noiseArray(batchManager), batch.labelArray(batchManager),
                batch.imageArray(batchManager), null, config.lrAt(k));
        average.update(k);
        return r;
    }

    @Override
    protected int batch() {
        return config.batch();
    }

    @Override
    protected String header() {
        StringBuilder sb = new StringBuilder();
        for (int s = 1; s <= model.supervisedStates(config.supervision()); s++) {
            sb.append("loss_state_").append(s).append(',');
        }
        return sb.append("loss,lr,grad_norm,images_per_second,elapsed_ms,skipped").toString();
    }

    @Override
    protected Log summarise(long done, List<DistillationStep.Result> window, double imagesPerSecond, long elapsed) {
        return summarise(done, window, config.lrAt(done - 1), imagesPerSecond, elapsed);
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

    @Override
    protected Map<String, Object> runRecord() {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("kind", "distillation");
        run.put("model", modelConfig.toMap());
        run.put("parameters", modelConfig.parameterCount());
        run.put("train", config.toMap());
        run.put("pairs", Map.of("dir", pairs.dir().toString(), "manifest_sha256", dataSha, "teacher",
                pairs.manifest().teacher(), "count", pairs.size()));
        return run;
    }

    @Override
    protected Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>(config.toMap());
        s.remove("steps");
        s.remove("checkpoint_every");
        s.remove("log_every");
        return s;
    }

    @Override
    protected void writeCheckpoint(Path file, Map<String, String> metadata) {
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("opt.steps", Long.toString(optimizer.steps()));
        meta.put("pairs.manifest_sha256", dataSha);
        meta.put("pairs.teacher", pairs.manifest().teacher());
        Checkpoints.save(file, model, ema, optimizer.stateTensors(), meta);
    }

    @Override
    protected void restore(SafeTensors.Contents c, Path file) {
        if (c.metadata().containsKey(Checkpoints.EXPORTED)) {
            throw new Get4jException(file + " holds " + c.metadata().get(Checkpoints.EXPORTED) + ", written by get4j "
                    + "export: without the training state it samples and evaluates, but cannot be resumed");
        }
        ModelConfig recorded = Checkpoints.configOf(c, file);
        if (!recorded.equals(modelConfig)) {
            throw new Get4jException(file + " holds a model " + recorded.toMap() + ", not " + modelConfig.toMap());
        }
        if (!dataSha.equals(c.metadata().get("pairs.manifest_sha256"))) {
            throw new Get4jException(file + " was trained on other pairs (manifest SHA-256 "
                    + c.metadata().get("pairs.manifest_sha256") + ", now " + dataSha + ")");
        }
        Checkpoints.loadStateDict(model, under("model.", c.tensors()), file.toString(), true);
        Checkpoints.loadStateDict(ema, under("ema.", c.tensors()), file.toString(), true);
        optimizer.restore(Long.parseLong(c.metadata().get("opt.steps")), c.tensors());
        step.withGuard(new NonFiniteGuard(NonFiniteGuard.DEFAULT_LIMIT, Long.parseLong(c.metadata().get("step"))));
    }
}
