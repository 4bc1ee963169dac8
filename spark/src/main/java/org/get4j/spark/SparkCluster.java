package org.get4j.spark;

import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.get4j.diffusion.SamplerConfig;
import org.get4j.metrics.ClusterStatistics;
import org.get4j.metrics.FeatureStatistics;
import org.get4j.pairs.ClusterPairs;
import org.get4j.pairs.PairManifest;
import org.get4j.pairs.SeedRange;

/**
 * What the CLI's {@code --spark} finds on the classpath. Under spark-submit it joins the submitted application's
 * context; started any other way it runs Spark in-process on {@code spark.master} (default local[*]).
 */
public final class SparkCluster implements ClusterPairs, ClusterStatistics {
    /** Tasks of this many batches each when computing statistics of an array. */
    static final int BATCHES_PER_TASK = 20;

    private static JavaSparkContext context;

    static synchronized JavaSparkContext context() {
        if (context == null) {
            SparkConf conf = new SparkConf().setIfMissing("spark.master", "local[*]")
                    .setIfMissing("spark.app.name", "get4j").setIfMissing("spark.ui.enabled", "false");
            context = JavaSparkContext.fromSparkContext(SparkContext.getOrCreate(conf));
        }
        return context;
    }

    /** libtorch threads per task: the cores Spark gives a task (spark.task.cpus, default 1). */
    static int threadsPerTask() {
        return context().getConf().getInt("spark.task.cpus", 1);
    }

    @Override
    public String engine() {
        return "Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION() + " (" + context().master() + ")";
    }

    @Override
    public PairManifest generate(String teacher, SamplerConfig sampler, SeedRange seeds, int shardSize, int batch,
            boolean conditional, String out, Consumer<String> log) {
        SparkPairGeneration.Job job = new SparkPairGeneration.Job(absolute(teacher), sampler, seeds, shardSize, batch,
                conditional, absolute(out), threadsPerTask());
        SparkPairGeneration.Result r = SparkPairGeneration.generate(context(), job, SparkPairGeneration.Faults.NONE, log);
        log.accept(String.format("made %d shard(s), kept %d already in place, in %.1f s (%.2f pairs/s made)",
                r.made().size(), r.kept().size(), r.seconds(), madePairs(r) / r.seconds()));
        return r.manifest();
    }

    private static long madePairs(SparkPairGeneration.Result r) {
        return r.made().stream().mapToLong(i -> r.manifest().shards().get(i).count()).sum();
    }

    @Override
    public FeatureStatistics statistics(String input, String features, String weights, int batch,
            Consumer<String> log) {
        SparkStatistics.Features fx = new SparkStatistics.Features(features, weights, threadsPerTask());
        return input.endsWith(".npy")
                ? SparkStatistics.ofArrays(context(), List.of(absolute(input)), fx, batch, BATCHES_PER_TASK)
                : SparkStatistics.ofPairs(context(), absolute(input), fx, batch);
    }

    /**
     * A relative local path made absolute on the driver: an executor runs in its own work folder, where the
     * driver's relative paths name nothing. URIs (hdfs://, file:/...) and gmm:... names are left as they are.
     */
    static String absolute(String spec) {
        if (spec.contains(":")) {
            return spec;
        }
        java.nio.file.Path p = java.nio.file.Path.of(spec);
        return p.isAbsolute() ? spec : p.toAbsolutePath().normalize().toString();
    }
}
