package org.get4j.pairs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.get4j.Get4jException;
import org.get4j.io.Checksums;
import org.get4j.io.HostTensor;
import org.get4j.io.SafeTensors;

/**
 * Reading a finished pair store: random access by index (store order) and a seeded, shuffled stream of batches
 * for training. Shards are verified against the manifest (SHA-256, seed range) the first time they are read; a
 * store made by another teacher than the one asked for is refused. Only one shard is held in memory at a time, so
 * a million pairs need no more memory than one shard.
 */
public final class PairStore {
    private final Path dir;
    private final PairManifest manifest;
    private final long[] shardStart; // index of each shard's first pair
    private final boolean[] verified;
    private int cachedShard = -1;
    private Pairs cached;

    private PairStore(Path dir, PairManifest manifest) {
        this.dir = dir;
        this.manifest = manifest;
        this.shardStart = new long[manifest.shards().size() + 1];
        for (int i = 0; i < manifest.shards().size(); i++) {
            shardStart[i + 1] = shardStart[i] + manifest.shards().get(i).count();
        }
        if (shardStart[manifest.shards().size()] != manifest.count()) {
            throw new Get4jException(dir.resolve(PairManifest.FILE) + ": shard counts add up to "
                    + shardStart[manifest.shards().size()] + ", the manifest says " + manifest.count());
        }
        this.verified = new boolean[manifest.shards().size()];
    }

    /** Opens a store; {@code teacher} (if not null) must equal the manifest's teacher identity. */
    public static PairStore open(Path dir, String teacher) {
        PairManifest m = PairManifest.read(dir);
        if (teacher != null && !teacher.equals(m.teacher())) {
            throw new Get4jException(dir.resolve(PairManifest.FILE) + " was made by teacher " + m.teacher()
                    + ", not the requested " + teacher);
        }
        return new PairStore(dir, m);
    }

    public PairManifest manifest() {
        return manifest;
    }

    public Path dir() {
        return dir;
    }

    public long size() {
        return manifest.count();
    }

    /** Shard i, verified. */
    public synchronized Pairs shard(int i) {
        if (i == cachedShard) {
            return cached;
        }
        PairManifest.Shard s = manifest.shards().get(i);
        Path file = dir.resolve(s.file());
        if (!verified[i]) {
            if (!java.nio.file.Files.isRegularFile(file)) {
                throw new Get4jException("pair shard " + file + " listed in the manifest is missing");
            }
            String sha = Checksums.sha256(file);
            if (!sha.equals(s.sha256())) {
                throw new Get4jException("pair shard " + file + " is corrupt or was replaced: SHA-256 " + sha
                        + ", the manifest records " + s.sha256());
            }
        }
        Pairs p = readShard(file, manifest.channels(), manifest.imageSize());
        if (p.count() != s.count() || p.seeds()[0] != s.firstSeed()) {
            throw new Get4jException("pair shard " + file + " holds seeds from " + p.seeds()[0] + " (" + p.count()
                    + " pairs); the manifest says " + s.firstSeed() + " (" + s.count() + ")");
        }
        verified[i] = true;
        cachedShard = i;
        cached = p;
        return p;
    }

    /** Reads one shard file (without the manifest checks). */
    static Pairs readShard(Path file, int channels, int size) {
        SafeTensors.Contents c = SafeTensors.read(file);
        Map<String, HostTensor> t = c.tensors();
        for (String key : List.of("seed", "noise", "image")) {
            if (!t.containsKey(key)) {
                throw new Get4jException("pair shard " + file + " has no '" + key + "' tensor");
            }
        }
        HostTensor label = t.get("label");
        return new Pairs(t.get("noise").toFloatArray(), t.get("image").toFloatArray(), t.get("seed").toLongArray(),
                label == null ? null : label.toLongArray(), channels, size);
    }

    /** Pairs [from, to) in store order (seed order), crossing shards as needed. */
    public Pairs range(long from, long to) {
        if (from < 0 || to > size() || from >= to) {
            throw new IndexOutOfBoundsException("pairs [" + from + ", " + to + ") of " + size());
        }
        int n = (int) (to - from);
        int px = (int) manifest.pixels();
        float[] noise = new float[n * px];
        float[] images = new float[n * px];
        long[] seeds = new long[n];
        long[] labels = manifest.numClasses() > 0 ? new long[n] : null;
        for (int j = 0; j < n; j++) {
            copyRow(from + j, j, noise, images, seeds, labels);
        }
        return new Pairs(noise, images, seeds, labels, manifest.channels(), manifest.imageSize());
    }

    private void copyRow(long index, int j, float[] noise, float[] images, long[] seeds, long[] labels) {
        int s = shardOf(index);
        Pairs p = shard(s);
        int row = (int) (index - shardStart[s]);
        int px = (int) manifest.pixels();
        System.arraycopy(p.noise(), row * px, noise, j * px, px);
        System.arraycopy(p.images(), row * px, images, j * px, px);
        seeds[j] = p.seeds()[row];
        if (labels != null) {
            labels[j] = p.labels()[row];
        }
    }

    private int shardOf(long index) {
        int lo = 0;
        int hi = shardStart.length - 2;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (shardStart[mid] <= index) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /**
     * Batch number {@code k} of a shuffled stream: a pure function of (seed, k), so a resumed run continues where
     * it stopped. Each epoch visits the shards in a seeded order and each shard's pairs in a seeded order; a batch
     * may span two shards.
     */
    public Pairs batch(long seed, long k, int batchSize) {
        int n = batchSize;
        int px = (int) manifest.pixels();
        float[] noise = new float[n * px];
        float[] images = new float[n * px];
        long[] seeds = new long[n];
        long[] labels = manifest.numClasses() > 0 ? new long[n] : null;
        for (int j = 0; j < n; j++) {
            long position = k * batchSize + j;
            long epoch = position / size();
            copyRow(shuffledIndex(seed, epoch, position % size()), j, noise, images, seeds, labels);
        }
        return new Pairs(noise, images, seeds, labels, manifest.channels(), manifest.imageSize());
    }

    private long cachedEpoch = -1;
    private int[] shardOrder;
    private long[] orderStart;
    private int permutedShard = -1;
    private int[] rowOrder;

    /** The store index at position p of the given epoch's order. */
    private long shuffledIndex(long seed, long epoch, long p) {
        int shards = manifest.shards().size();
        if (epoch != cachedEpoch) {
            shardOrder = permutation(shards, new Random(seed * 31 + epoch));
            orderStart = new long[shards + 1];
            for (int i = 0; i < shards; i++) {
                orderStart[i + 1] = orderStart[i] + manifest.shards().get(shardOrder[i]).count();
            }
            cachedEpoch = epoch;
            permutedShard = -1;
        }
        int slot = 0;
        while (orderStart[slot + 1] <= p) {
            slot++;
        }
        int s = shardOrder[slot];
        if (s != permutedShard) {
            rowOrder = permutation(manifest.shards().get(s).count(), new Random((seed * 31 + epoch) * 1_000_003L + s));
            permutedShard = s;
        }
        return shardStart[s] + rowOrder[(int) (p - orderStart[slot])];
    }

    private static int[] permutation(int n, Random r) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /** Every shard re-verified; returns problems found (empty when the store is sound). */
    public List<String> verifyAll() {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < manifest.shards().size(); i++) {
            try {
                verified[i] = false;
                if (cachedShard == i) {
                    cachedShard = -1;
                }
                shard(i);
            } catch (Get4jException e) {
                problems.add(e.getMessage());
            }
        }
        return problems;
    }
}
