package org.get4j.spark;

import ai.djl.ndarray.NDManager;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.get4j.Get4jException;
import org.get4j.io.HostTensor;
import org.get4j.io.Npy;
import org.get4j.io.SafeTensors;
import org.get4j.metrics.Evaluation;
import org.get4j.metrics.FeatureExtractor;
import org.get4j.metrics.FeatureStatistics;
import org.get4j.pairs.PairManifest;
import org.get4j.runtime.Torch;
import org.get4j.runtime.TorchRuntime;

/**
 * Feature statistics for FID / FD on Spark. Each task reads only its slice of the images, runs the feature
 * extractor, and returns float64 sums (count, sum, sum of outer products); the driver adds them in slice order.
 * Slices start on multiples of the batch size, so every batch is the one the single-machine path
 * ({@link Evaluation#statistics}) would form, and the merged sums differ from its only by the order of additions.
 */
public final class SparkStatistics {
    private SparkStatistics() {}

    /**
     * The extractor: {@code lenet-mnist}, {@code lenet-fashion} or {@code inception}, with the weights file as a
     * URI (null: the classifier shipped in the executors' data home; inception always needs the file).
     */
    public record Features(String name, String weights, int threads) implements Serializable {
        /** One libtorch thread per task. */
        public Features(String name, String weights) {
            this(name, weights, 1);
        }

        FeatureExtractor open(NDManager m, Configuration conf) {
            TorchRuntime.setThreads(threads); // per thread: an executor's task threads do not inherit it
            return FeatureExtractor.named(m, name, weights == null ? null : HadoopFiles.local(weights, conf));
        }
    }

    /** One task's images: {@code [from, to)} of an .npy array, or the images of one pair-store shard. */
    record Slice(String file, boolean shard, long from, long to) implements Serializable {}

    /** Statistics of the images in .npy files (N, C, H, W; float in [-1, 1] or uint8), in file order. */
    public static FeatureStatistics ofArrays(JavaSparkContext sc, List<String> npyFiles, Features features, int batch,
            int batchesPerTask) {
        Configuration conf = sc.hadoopConfiguration();
        List<Slice> slices = new ArrayList<>();
        long step = (long) batch * batchesPerTask;
        for (String uri : npyFiles) {
            long n = npyHeader(HadoopFiles.fs(uri, conf), new Path(uri)).shape()[0];
            for (long from = 0; from < n; from += step) {
                slices.add(new Slice(uri, false, from, Math.min(n, from + step)));
            }
        }
        return run(sc, slices, features, batch);
    }

    /** Statistics of the teacher images of a pair store (its manifest lists the shards), in shard order. */
    public static FeatureStatistics ofPairs(JavaSparkContext sc, String store, Features features, int batch) {
        Configuration conf = sc.hadoopConfiguration();
        FileSystem fs = HadoopFiles.fs(store, conf);
        Path manifestFile = new Path(store, PairManifest.FILE);
        PairManifest manifest = PairManifest.parse(HadoopFiles.read(fs, manifestFile), manifestFile.toString());
        List<Slice> slices = new ArrayList<>();
        for (PairManifest.Shard s : manifest.shards()) {
            slices.add(new Slice(new Path(store, s.file()).toString(), true, 0, s.count()));
        }
        return run(sc, slices, features, batch);
    }

    private static FeatureStatistics run(JavaSparkContext sc, List<Slice> slices, Features features, int batch) {
        if (slices.isEmpty()) {
            throw new Get4jException("no images to compute statistics of");
        }
        HadoopConf shipped = new HadoopConf(sc.hadoopConfiguration());
        List<FeatureStatistics.Sums> parts = sc.parallelize(slices, slices.size())
                .map(slice -> sums(slice, features, batch, shipped))
                .collect();
        FeatureStatistics total = FeatureStatistics.ofSums(parts.get(0));
        for (FeatureStatistics.Sums s : parts.subList(1, parts.size())) {
            total.merge(FeatureStatistics.ofSums(s));
        }
        return total;
    }

    /** One task: the sums of its slice's features. */
    static FeatureStatistics.Sums sums(Slice slice, Features features, int batch, HadoopConf shipped) {
        Configuration conf = shipped.get();
        HostTensor images = slice.shard() ? shardImages(slice, conf) : arraySlice(slice, conf);
        try (NDManager m = TorchRuntime.newManager(); Torch.GradMode noGrad = Torch.noGrad()) {
            FeatureExtractor fx = features.open(m, conf);
            return Evaluation.statistics(fx, Evaluation.ImageSource.of(images, slice.file()), batch).sums();
        }
    }

    private static Npy.Header npyHeader(FileSystem fs, Path file) {
        int n = (int) Math.min(HadoopFiles.length(fs, file), Npy.MAX_HEADER_BYTES);
        return Npy.header(HadoopFiles.read(fs, file, 0, n), file.toString());
    }

    private static HostTensor arraySlice(Slice slice, Configuration conf) {
        Path file = new Path(slice.file());
        FileSystem fs = HadoopFiles.fs(slice.file(), conf);
        Npy.Header h = npyHeader(fs, file);
        long[] shape = h.shape().clone();
        if (shape.length != 4) {
            throw new Get4jException(file + ": images must be (N, C, H, W), got " + java.util.Arrays.toString(shape));
        }
        long per = shape[1] * shape[2] * shape[3] * h.dtype().bytes();
        if (HadoopFiles.length(fs, file) != h.dataOffset() + h.dataBytes()) {
            throw new Get4jException(file + ": truncated .npy file (the header promises " + h.dataBytes()
                    + " data bytes)");
        }
        shape[0] = slice.to() - slice.from();
        byte[] data = HadoopFiles.read(fs, file, h.dataOffset() + slice.from() * per, (int) (shape[0] * per));
        return new HostTensor(h.dtype(), shape, data);
    }

    private static HostTensor shardImages(Slice slice, Configuration conf) {
        Path file = new Path(slice.file());
        SafeTensors.Contents c = SafeTensors.decode(HadoopFiles.read(HadoopFiles.fs(slice.file(), conf), file),
                file.toString());
        HostTensor images = c.tensors().get("image");
        if (images == null) {
            throw new Get4jException(file + " has no 'image' tensor: not a get4j pair shard");
        }
        return images;
    }
}
