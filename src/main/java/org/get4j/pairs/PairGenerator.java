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
import org.get4j.io.FolderLock;
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
    /** The plan file in a store: what a rerun must match to complete the store instead of replacing it. */
    public static final String PLAN = "plan.json";

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

    /** One shard of the plan: its index, its seeds, and its file name in the store. */
    public record ShardSpec(int index, long firstSeed, int count) implements java.io.Serializable {
        public String file() {
            return PairManifest.shardFile(index);
        }
    }

    /** The shard layout: shard i holds seeds [first + i * shardSize, ...), at most shardSize of them. */
    public List<ShardSpec> shardSpecs() {
        int shards = PairManifest.shardCount(seeds.count(), shardSize);
        List<ShardSpec> specs = new ArrayList<>(shards);
        for (int i = 0; i < shards; i++) {
            long first = seeds.first() + (long) i * shardSize;
            specs.add(new ShardSpec(i, first, (int) Math.min(shardSize, seeds.last() - first + 1)));
        }
        return specs;
    }

    /** The plan file's bytes: what must match for a store to be completed rather than replaced. */
    public byte[] planBytes() {
        try {
            return JSON.writeValueAsBytes(plan());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Fails when {@code dir} holds a store of another plan or another process writes it; a front end calls it
     * before it draws progress.
     */
    public void checkPlan(Path dir) {
        FolderLock.requireFree(dir, "pairs generate");
        Path planFile = dir.resolve(PLAN);
        if (Files.isRegularFile(planFile)) {
            try {
                checkPlan(Files.readAllBytes(planFile), planFile.toString());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + planFile + ": " + e.getMessage(), e);
            }
        }
    }

    /** Fails, naming {@code where}, when an existing plan file differs from this generator's plan. */
    public void checkPlan(byte[] existing, String where) {
        try {
            if (!JSON.readTree(existing).equals(JSON.readTree(planBytes()))) {
                throw new Get4jException(where + " holds pairs of another plan: teacher, sampler, seeds, shard size "
                        + "or conditioning differ; choose another output");
            }
        } catch (IOException e) {
            throw new Get4jException(where + ": unreadable plan file: " + e.getMessage());
        }
    }

    /** Generates (or completes) the store in {@code dir}; returns its manifest. */
    public PairManifest generate(NDManager manager, Path dir, Consumer<Progress> progress) {
        try (FolderLock lock = FolderLock.acquire(dir, "pairs generate")) {
            return generateLocked(manager, dir, progress);
        }
    }

    private PairManifest generateLocked(NDManager manager, Path dir, Consumer<Progress> progress) {
        try {
            Files.createDirectories(dir);
            Path planFile = dir.resolve(PLAN);
            if (Files.isRegularFile(planFile)) {
                checkPlan(Files.readAllBytes(planFile), planFile.toString());
            } else {
                AtomicFiles.write(planFile, planBytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir + ": " + e.getMessage(), e);
        }
        List<ShardSpec> specs = shardSpecs();
        int shards = specs.size();
        List<PairManifest.Shard> entries = new ArrayList<>();
        long start = System.nanoTime();
        long made = 0;
        for (ShardSpec spec : specs) {
            int i = spec.index();
            Path file = dir.resolve(spec.file());
            byte[] bytes = completeShard(file, spec); // the shard on disk when intact, else null
            boolean skipped = bytes != null;
            long before = (long) i * shardSize;
            if (!skipped) {
                long madeBefore = made;
                bytes = shardBytes(manager, spec, done -> progress.accept(new Progress(before + done, i,
                        shards, madeBefore + done, (System.nanoTime() - start) / 1e9, false, false)));
                try {
                    AtomicFiles.write(file, bytes);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
                }
                made += spec.count();
            }
            // hashed from the bytes in hand: the file is not read back
            entries.add(new PairManifest.Shard(spec.file(), spec.firstSeed(), spec.count(), Checksums.sha256(bytes)));
            progress.accept(new Progress(before + spec.count(), i + 1, shards, made,
                    (System.nanoTime() - start) / 1e9, true, skipped));
        }
        PairManifest manifest = manifest(entries);
        manifest.write(dir);
        return manifest;
    }

    /** The store's manifest once every shard is in place ({@code shards} in index order, with their SHA-256). */
    public PairManifest manifest(List<PairManifest.Shard> shards) {
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("get4j", Versions.get4j());
        versions.put("djl", Versions.djl());
        versions.put("pytorch", Versions.pytorch());
        versions.put("java", Versions.java());
        return new PairManifest(PairManifest.FORMAT, "generated", teacher.identity(), sampler.toMap(),
                seeds.first(), seeds.count(), shardSize, teacher.channels(), teacher.imageSize(),
                conditional ? teacher.numClasses() : 0, "float32", List.copyOf(shards), versions);
    }

    /** The bytes of {@code file} when it is this plan's intact shard {@code spec}, else null (make it again). */
    private byte[] completeShard(Path file, ShardSpec spec) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            return isComplete(bytes, spec) ? bytes : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Whether a shard file's bytes are this plan's shard: intact (the data checksum inside the file matches),
     * holding exactly the expected seeds, made by this teacher. Anything else (partial, corrupt, foreign) is
     * made again.
     */
    public boolean isComplete(byte[] bytes, ShardSpec spec) {
        try {
            SafeTensors.Contents c = SafeTensors.decode(bytes, spec.file());
            long[] s = c.tensors().get("seed").toLongArray();
            int count = spec.count();
            long first = spec.firstSeed();
            return s.length == count && s[0] == first && s[count - 1] == first + count - 1
                    && teacher.identity().equals(c.metadata().get("teacher"));
        } catch (RuntimeException e) {
            return false; // corrupt or partial: make it again
        }
    }

    /**
     * The bytes of one shard file, a pure function of the plan and the shard's seeds (the same bytes on any
     * machine with the same engine build and thread count); {@code batchDone} hears the pairs made so far.
     */
    public byte[] shardBytes(NDManager manager, ShardSpec spec, java.util.function.LongConsumer batchDone) {
        long first = spec.firstSeed();
        int count = spec.count();
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
        return SafeTensors.encode(t, Map.of("teacher", teacher.identity(), "first_seed", "" + first, "count", "" + count));
    }
}
