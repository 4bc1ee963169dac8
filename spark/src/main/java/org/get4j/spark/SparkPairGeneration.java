package org.get4j.spark;

import ai.djl.ndarray.NDManager;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.get4j.Get4jException;
import org.get4j.diffusion.Denoiser;
import org.get4j.diffusion.SamplerConfig;
import org.get4j.io.Checksums;
import org.get4j.pairs.PairGenerator;
import org.get4j.pairs.PairGenerator.ShardSpec;
import org.get4j.pairs.PairManifest;
import org.get4j.pairs.SeedRange;
import org.get4j.runtime.TorchRuntime;

/**
 * Pair generation on Spark: the seed range is split into the same shards as on one machine, one task per shard.
 * Each task loads the teacher, makes its shard with {@link PairGenerator#shardBytes} (a pure function of the plan
 * and the shard's seeds) and publishes it atomically; a shard already in place and intact is skipped, so retries,
 * speculative copies and restarts after a crash are harmless and only missing shards are made. The driver then
 * reads every shard back, verifies it, and writes the manifest last, exactly as the single-machine path does.
 */
public final class SparkPairGeneration {
    private SparkPairGeneration() {}

    /**
     * What to generate: the arguments of {@code get4j pairs generate}, with the output as a Hadoop URI, and the
     * libtorch threads of each task. Shard bytes depend on that thread count (a reduction split over more threads
     * rounds differently), so every task sets it on its own thread; a single-machine store equals a Spark one when
     * made with {@code GET4J_THREADS} equal to it.
     */
    public record Job(String teacher, SamplerConfig sampler, SeedRange seeds, int shardSize, int batch,
            boolean conditional, String out, int threads) implements Serializable {
        /** One libtorch thread per task: Spark's one task per core. */
        public Job(String teacher, SamplerConfig sampler, SeedRange seeds, int shardSize, int batch,
                boolean conditional, String out) {
            this(teacher, sampler, seeds, shardSize, batch, conditional, out, 1);
        }

        PairGenerator generator(Denoiser t) {
            return new PairGenerator(t, sampler, seeds, shardSize, batch, conditional);
        }
    }

    /**
     * Faults to inject, for tests and failure drills: shards whose first attempt fails after writing its temporary
     * file (as a task killed mid-write), and shards whose every attempt fails (as a job that dies).
     */
    public record Faults(Set<Integer> failFirstAttempt, Set<Integer> failEveryAttempt) implements Serializable {
        public static final Faults NONE = new Faults(Set.of(), Set.of());

        void inject(int shard, boolean written) {
            int attempt = TaskContext.get() != null ? TaskContext.get().attemptNumber() : 0;
            if (failEveryAttempt.contains(shard) || (failFirstAttempt.contains(shard) && attempt == 0 && written)) {
                throw new InjectedFault("injected fault in shard " + shard + ", attempt " + attempt);
            }
        }
    }

    /** The exception an injected fault throws. */
    public static final class InjectedFault extends RuntimeException {
        InjectedFault(String message) {
            super(message);
        }
    }

    /** What one task did with its shard. */
    public record ShardOutcome(int shard, boolean made, int attempt, double seconds) implements Serializable {}

    /** The manifest, and which shards this run made and which it found in place. */
    public record Result(PairManifest manifest, List<Integer> made, List<Integer> kept, int temporariesRemoved,
            double seconds) {}

    public static Result generate(JavaSparkContext sc, Job job) {
        return generate(sc, job, Faults.NONE, line -> { });
    }

    /** Runs the job on {@code sc}; {@code log} hears progress lines (shards done, rate, ETA). */
    public static Result generate(JavaSparkContext sc, Job job, Faults faults, Consumer<String> log) {
        long start = System.nanoTime();
        Configuration conf = sc.hadoopConfiguration();
        HadoopConf shipped = new HadoopConf(conf);
        FileSystem fs = HadoopFiles.fs(job.out(), conf);
        Path out = new Path(job.out());
        try (NDManager m = TorchRuntime.newManager()) {
            // the driver's own copy of the plan: the plan file, the shard layout, and the verification at the end
            PairGenerator plan = job.generator(TeacherFiles.open(m, job.teacher(), conf));
            Path planFile = new Path(out, PairGenerator.PLAN);
            if (HadoopFiles.exists(fs, planFile)) {
                plan.checkPlan(HadoopFiles.read(fs, planFile), planFile.toString());
            } else {
                HadoopFiles.replace(fs, planFile, plan.planBytes());
            }
            List<ShardSpec> specs = plan.shardSpecs();
            List<ShardOutcome> outcomes;
            try (ShardProgress progress = ShardProgress.attach(sc, specs.size(), "shards", log)) {
                outcomes = sc.parallelize(specs, Math.max(1, specs.size()))
                        .map(spec -> makeShard(job, spec, shipped, faults))
                        .collect();
            }
            List<Integer> made = new ArrayList<>();
            List<Integer> kept = new ArrayList<>();
            for (ShardOutcome o : outcomes) {
                (o.made() ? made : kept).add(o.shard());
            }
            // every shard is read back and verified; only then does the manifest exist
            List<PairManifest.Shard> entries = new ArrayList<>();
            for (ShardSpec spec : specs) {
                Path file = new Path(out, spec.file());
                byte[] bytes = HadoopFiles.read(fs, file);
                if (!plan.isComplete(bytes, spec)) {
                    throw new Get4jException(file + " is not the intact shard " + spec.index() + " of this plan after "
                            + "the job finished; rerun to make it again");
                }
                entries.add(new PairManifest.Shard(spec.file(), spec.firstSeed(), spec.count(), Checksums.sha256(bytes)));
            }
            PairManifest manifest = plan.manifest(entries);
            HadoopFiles.replace(fs, new Path(out, PairManifest.FILE), manifest.toBytes());
            int removed = HadoopFiles.removeTemporaries(fs, out);
            return new Result(manifest, made, kept, removed, (System.nanoTime() - start) / 1e9);
        }
    }
    /** One task: skip the shard when it is in place and intact, else make it and publish it atomically. */
    static ShardOutcome makeShard(Job job, ShardSpec spec, HadoopConf shipped, Faults faults) {
        long t0 = System.nanoTime();
        int attempt = TaskContext.get() != null ? TaskContext.get().attemptNumber() : 0;
        Configuration conf = shipped.get();
        FileSystem fs = HadoopFiles.fs(job.out(), conf);
        Path file = new Path(new Path(job.out()), spec.file());
        TorchRuntime.setThreads(job.threads()); // per thread: an executor's task threads do not inherit it
        try (NDManager m = TorchRuntime.newManager()) {
            PairGenerator generator = job.generator(TeacherFiles.open(m, job.teacher(), conf));
            if (HadoopFiles.exists(fs, file) && generator.isComplete(HadoopFiles.read(fs, file), spec)) {
                return new ShardOutcome(spec.index(), false, attempt, (System.nanoTime() - t0) / 1e9);
            }
            faults.inject(spec.index(), false);
            byte[] bytes = generator.shardBytes(m, spec, done -> { });
            Path tmp = HadoopFiles.writeTemporary(fs, file, bytes);
            faults.inject(spec.index(), true);
            if (HadoopFiles.exists(fs, file)) {
                if (generator.isComplete(HadoopFiles.read(fs, file), spec)) {
                    HadoopFiles.delete(fs, tmp); // a speculative twin published the same bytes first
                    return new ShardOutcome(spec.index(), true, attempt, (System.nanoTime() - t0) / 1e9);
                }
                HadoopFiles.delete(fs, file); // a corrupt leftover of an earlier run
            }
            HadoopFiles.commit(fs, tmp, file);
        }
        return new ShardOutcome(spec.index(), true, attempt, (System.nanoTime() - t0) / 1e9);
    }
}
