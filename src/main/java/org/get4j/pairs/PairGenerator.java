package org.get4j.pairs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
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
import org.get4j.diffusion.Denoiser;
import org.get4j.diffusion.EdmSampler;
import org.get4j.diffusion.SamplerConfig;
import org.get4j.io.AtomicFiles;
import org.get4j.io.Checksums;
import org.get4j.io.HostTensor;
import org.get4j.io.SafeTensors;
import org.get4j.runtime.Versions;

/**
 * Makes (noise, image) pairs: for each seed, unit-variance noise (and a label, for a conditional teacher) from
 * {@link SeededNoise}, and the teacher's deterministic EDM sample from it. Pairs go to shards of a fixed seed range,
 * each written atomically; a rerun with the same arguments skips shards already on disk and verified, so an
 * interrupted run resumes. The manifest is written last, once every shard is in place.
 */
public final class PairGenerator {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    private static final String PLAN = "plan.json";

    private final Denoiser teacher;
    private final SamplerConfig sampler;
    private final SeedRange seeds;
    private final int shardSize;
    private final int batchSize;
    private final boolean conditional;

    public PairGenerator(Denoiser teacher, SamplerConfig sampler, SeedRange seeds, int shardSize, int batchSize,
            boolean conditional) {
        if (shardSize < 1 || batchSize < 1) {
            throw new Get4jException("shard size and batch size must be positive, got " + shardSize + ", " + batchSize);
        }
        if (conditional && teacher.numClasses() == 0) {
            throw new Get4jException("a conditional pair set needs a conditional teacher");
        }
        this.teacher = teacher;
        this.sampler = sampler;
        this.seeds = seeds;
        this.shardSize = shardSize;
        this.batchSize = batchSize;
        this.conditional = conditional;
    }

    /**
     * Progress after each sampler batch and at the end of each shard: pairs done (kept ones included), shards done,
     * total shards, pairs made in this run, seconds in this run; {@code shardEnd} marks the report that closes a shard,
     * and {@code skipped} says that shard was already complete on disk.
     */
    public record Progress(long pairsDone, int shardsDone, int shards, long pairsThisRun, double seconds,
            boolean shardEnd, boolean skipped) {
        /** Pairs per second made in this run (0 before the first batch). */
        public double rate() {
            return seconds > 0 ? pairsThisRun / seconds : 0;
        }
    }

    private Map<String, Object> plan() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("format", PairManifest.FORMAT);
        p.put("teacher", teacher.identity());
        p.put("sampler", sampler.toMap());
        p.put("seeds", seeds.toString());
        p.put("shard_size", shardSize);
        p.put("conditional", conditional);
        return p;
    }

    /** Generates (or completes) the store in {@code dir}; returns its manifest. */
    public PairManifest generate(NDManager manager, Path dir, Consumer<Progress> progress) {
        try {
            Files.createDirectories(dir);
            Path planFile = dir.resolve(PLAN);
            byte[] plan = JSON.writeValueAsBytes(plan());
            if (Files.isRegularFile(planFile)) {
                if (!JSON.readTree(Files.readAllBytes(planFile)).equals(JSON.readTree(plan))) {
                    throw new Get4jException(dir + " holds pairs of another plan (" + planFile + "): teacher, sampler, "
                            + "seeds, shard size or conditioning differ; choose another --out");
                }
            } else {
                AtomicFiles.write(planFile, plan);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir + ": " + e.getMessage(), e);
        }
        int shards = PairManifest.shardCount(seeds.count(), shardSize);
        List<PairManifest.Shard> entries = new ArrayList<>();
        long start = System.nanoTime();
        long made = 0;
        for (int i = 0; i < shards; i++) {
            long first = seeds.first() + (long) i * shardSize;
            int count = (int) Math.min(shardSize, seeds.last() - first + 1);
            Path file = dir.resolve(PairManifest.shardFile(i));
            boolean skipped = isComplete(file, first, count);
            long before = (long) i * shardSize;
            if (!skipped) {
                int shard = i;
                long madeBefore = made;
                writeShard(manager, file, first, count, done -> progress.accept(new Progress(before + done, shard,
                        shards, madeBefore + done, (System.nanoTime() - start) / 1e9, false, false)));
                made += count;
            }
            entries.add(new PairManifest.Shard(file.getFileName().toString(), first, count, Checksums.sha256(file)));
            progress.accept(new Progress(before + count, i + 1, shards, made, (System.nanoTime() - start) / 1e9, true,
                    skipped));
        }
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("get4j", Versions.get4j());
        versions.put("djl", Versions.djl());
        versions.put("pytorch", Versions.pytorch());
        versions.put("java", Versions.java());
        PairManifest manifest = new PairManifest(PairManifest.FORMAT, "generated", teacher.identity(), sampler.toMap(),
                seeds.first(), seeds.count(), shardSize, teacher.channels(), teacher.imageSize(),
                conditional ? teacher.numClasses() : 0, "float32", entries, versions);
        manifest.write(dir);
        return manifest;
    }

    /** A shard already on disk counts only if it reads back intact and holds exactly the expected seeds. */
    private boolean isComplete(Path file, long first, int count) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try {
            SafeTensors.Contents c = SafeTensors.read(file);
            long[] s = c.tensors().get("seed").toLongArray();
            return s.length == count && s[0] == first && s[count - 1] == first + count - 1
                    && teacher.identity().equals(c.metadata().get("teacher"));
        } catch (RuntimeException e) {
            return false; // corrupt or partial: make it again
        }
    }

    private void writeShard(NDManager manager, Path file, long first, int count,
            java.util.function.LongConsumer batchDone) {
        int c = teacher.channels();
        int s = teacher.imageSize();
        int px = c * s * s;
        float[] noise = SeededNoise.noise(first, count, px);
        float[] images = new float[count * px];
        long[] seedValues = java.util.stream.LongStream.range(first, first + count).toArray();
        long[] labels = conditional ? SeededNoise.labels(first, count, teacher.numClasses()) : null;
        EdmSampler edm = new EdmSampler(sampler);
        for (int b = 0; b < count; b += batchSize) {
            int n = Math.min(batchSize, count - b);
            try (NDManager m = manager.newSubManager(); NDScope scope = new NDScope()) {
                NDArray e = m.create(java.util.Arrays.copyOfRange(noise, b * px, (b + n) * px), new Shape(n, c, s, s));
                NDArray y = conditional ? m.create(java.util.Arrays.copyOfRange(labels, b, b + n)) : null;
                float[] x = edm.sample(teacher, e, y).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
                System.arraycopy(x, 0, images, b * px, n * px);
            }
            if (b + n < count) {
                batchDone.accept(b + n);
            }
        }
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("seed", HostTensor.ofLongs(seedValues, count));
        t.put("noise", HostTensor.ofFloats(noise, count, c, s, s));
        t.put("image", HostTensor.ofFloats(images, count, c, s, s));
        if (conditional) {
            t.put("label", HostTensor.ofLongs(labels, count));
        }
        SafeTensors.write(file, t, Map.of("teacher", teacher.identity(), "first_seed", "" + first, "count", "" + count));
    }

}
