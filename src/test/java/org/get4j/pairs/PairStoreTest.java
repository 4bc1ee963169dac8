package org.get4j.pairs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.get4j.Get4jException;
import org.get4j.diffusion.GaussianMixtureTeacher;
import org.get4j.diffusion.SamplerConfig;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PairStoreTest {
    @TempDir
    Path dir;
    private NDManager manager;
    private GaussianMixtureTeacher teacher;
    private static final SamplerConfig FAST = SamplerConfig.reference().withSteps(6);

    /** A 2-class mixture over 1x4x4 images: instant, and conditional-capable. */
    @BeforeEach
    void setUp() {
        manager = TorchRuntime.newManager();
        int d = 16;
        double[] means = new double[2 * d];
        double[] bases = new double[2 * d];
        for (int i = 0; i < d; i++) {
            means[i] = -0.5;
            means[d + i] = 0.5 * Math.sin(i);
        }
        bases[0] = 1; // class 0's principal direction: pixel 0
        bases[d + 5] = 1; // class 1's: pixel 5
        teacher = GaussianMixtureTeacher.of(manager, 1, 4, 1, means, bases, new double[] {0.3, 0.2},
                new double[] {0.01, 0.02}, new double[] {0.5, 0.5});
    }

    @AfterEach
    void tearDown() {
        teacher.close();
        manager.close();
    }

    private PairManifest generate(Path out, SeedRange seeds, int shard, int batch, boolean conditional) {
        return new PairGenerator(teacher, FAST, seeds, shard, batch, conditional).generate(manager, out, p -> { });
    }

    @Test
    void noiseIsAPureFunctionOfTheSeed() {
        assertArrayEquals(SeededNoise.noise(42, 33), SeededNoise.noise(42, 33));
        assertTrue(SeededNoise.noise(42, 4)[0] != SeededNoise.noise(43, 4)[0]);
        // prefix-stable: the first values do not depend on how many are drawn
        assertArrayEquals(SeededNoise.noise(7, 4), java.util.Arrays.copyOf(SeededNoise.noise(7, 10), 4));
        float[] many = SeededNoise.noise(1, 200_000);
        double mean = 0;
        double sq = 0;
        for (float v : many) {
            mean += v / many.length;
            sq += (double) v * v / many.length;
        }
        assertEquals(0, mean, 0.01);
        assertEquals(1, sq, 0.01);
        assertEquals(SeededNoise.label(9, 10), SeededNoise.label(9, 10));
    }

    @Test
    void labelsAreBalancedInEveryBlockAndVaryBetweenBlocks() {
        int[] counts = new int[10];
        java.util.Set<String> orders = new java.util.HashSet<>();
        for (long block = 0; block < 50; block++) {
            int[] seen = new int[10];
            StringBuilder order = new StringBuilder();
            for (long s = block * 10; s < block * 10 + 10; s++) {
                int y = SeededNoise.label(s, 10);
                seen[y]++;
                counts[y]++;
                order.append(y);
            }
            assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, seen, "block " + block);
            orders.add(order.toString());
        }
        assertTrue(orders.size() > 45, "block orders should be shuffled, got " + orders.size() + " distinct of 50");
        // any window: each class count differs from an equal share by less than two
        java.util.Random r = new java.util.Random(5);
        for (int trial = 0; trial < 200; trial++) {
            long first = r.nextInt(100_000) - 50_000;
            int length = 1 + r.nextInt(300);
            int[] share = new int[10];
            for (long y : SeededNoise.labels(first, length, 10)) {
                share[(int) y]++;
            }
            for (int c : share) {
                assertTrue(Math.abs(c - length / 10.0) < 2, first + "+" + length + ": " + java.util.Arrays.toString(share));
            }
        }
        assertEquals(SeededNoise.label(-3, 10), SeededNoise.label(-3, 10));
        assertTrue(SeededNoise.label(-3, 10) >= 0);
    }

    @Test
    void pairsDoNotDependOnBatchSizeOrShardLayout() {
        generate(dir.resolve("a"), SeedRange.parse("10-29"), 7, 3, false);
        generate(dir.resolve("b"), SeedRange.parse("10-29"), 10, 20, false);
        PairStore a = PairStore.open(dir.resolve("a"), teacher.identity());
        PairStore b = PairStore.open(dir.resolve("b"), teacher.identity());
        Pairs pa = a.range(0, 20);
        Pairs pb = b.range(0, 20);
        assertArrayEquals(pa.seeds(), pb.seeds());
        assertArrayEquals(pa.noise(), pb.noise(), 0f);
        assertArrayEquals(pa.images(), pb.images(), 1e-6f);
        assertEquals(3, a.manifest().shards().size());
    }

    @Test
    void anInterruptedRunResumesToByteIdenticalShards() throws Exception {
        Path out = dir.resolve("full");
        generate(out, SeedRange.parse("0-24"), 10, 4, true);
        byte[] shard1 = Files.readAllBytes(out.resolve(PairManifest.shardFile(1)));
        byte[] manifest = Files.readAllBytes(out.resolve(PairManifest.FILE));
        // the interruption: shard 1 half-written (truncated), shard 2 and the manifest never written
        Files.write(out.resolve(PairManifest.shardFile(1)), java.util.Arrays.copyOf(shard1, shard1.length / 2));
        Files.delete(out.resolve(PairManifest.shardFile(2)));
        Files.delete(out.resolve(PairManifest.FILE));
        java.util.List<Boolean> skipped = new java.util.ArrayList<>();
        java.util.List<Long> done = new java.util.ArrayList<>();
        new PairGenerator(teacher, FAST, SeedRange.parse("0-24"), 10, 4, true)
                .generate(manager, out, p -> {
                    done.add(p.pairsDone());
                    if (p.shardEnd()) {
                        skipped.add(p.skipped());
                    }
                });
        assertEquals(java.util.List.of(true, false, false), skipped);
        // progress after every sampler batch of 4: shard 0 kept (10), then 14, 18, 20 and 24, 25
        assertEquals(java.util.List.of(10L, 14L, 18L, 20L, 24L, 25L), done);
        assertArrayEquals(shard1, Files.readAllBytes(out.resolve(PairManifest.shardFile(1))));
        String a = new String(manifest).replaceAll("\"get4j\" : \"[^\"]*\"", "");
        String b = new String(Files.readAllBytes(out.resolve(PairManifest.FILE))).replaceAll("\"get4j\" : \"[^\"]*\"", "");
        assertEquals(a, b);
        Pairs p = PairStore.open(out, null).range(0, 25);
        assertEquals(SeededNoise.label(3, 2), p.labels()[3]);
    }

    @Test
    void aShardIsAPureFunctionOfItsSpecAndOnlyAnIntactCopyCountsAsComplete() throws Exception {
        Path out = dir.resolve("spec");
        PairGenerator g = new PairGenerator(teacher, FAST, SeedRange.parse("3-14"), 5, 2, false);
        g.generate(manager, out, p -> { });
        java.util.List<PairGenerator.ShardSpec> specs = g.shardSpecs();
        assertEquals(java.util.List.of(new PairGenerator.ShardSpec(0, 3, 5), new PairGenerator.ShardSpec(1, 8, 5),
                new PairGenerator.ShardSpec(2, 13, 2)), specs);
        PairGenerator.ShardSpec last = specs.get(2);
        byte[] onDisk = Files.readAllBytes(out.resolve(last.file()));
        assertArrayEquals(onDisk, g.shardBytes(manager, last, n -> { }), "the same bytes wherever they are made");
        assertTrue(g.isComplete(onDisk, last));
        byte[] flipped = onDisk.clone();
        flipped[flipped.length - 3] ^= 4; // one bit of one image: the data checksum inside the file catches it
        assertFalse(g.isComplete(flipped, last));
        assertFalse(g.isComplete(java.util.Arrays.copyOf(onDisk, onDisk.length - 8), last));
        assertFalse(g.isComplete(onDisk, specs.get(1)), "another shard's seeds");
        // a rerun remakes a shard with a flipped bit instead of trusting it
        Files.write(out.resolve(last.file()), flipped);
        Files.delete(out.resolve(PairManifest.FILE));
        g.generate(manager, out, p -> { });
        assertArrayEquals(onDisk, Files.readAllBytes(out.resolve(last.file())));
        assertEquals(PairManifest.read(out), PairManifest.parse(g.manifest(PairManifest.read(out).shards()).toBytes(),
                "m"));
    }

    @Test
    void corruptAndMismatchedShardsAreDetected() throws Exception {
        Path out = dir.resolve("s");
        generate(out, SeedRange.parse("0-9"), 5, 5, false);
        Path shard = out.resolve(PairManifest.shardFile(1));
        byte[] bytes = Files.readAllBytes(shard);
        bytes[bytes.length - 1] ^= 1;
        Files.write(shard, bytes);
        PairStore store = PairStore.open(out, null);
        store.range(0, 5); // shard 0 is fine
        Get4jException e = assertThrows(Get4jException.class, () -> store.range(5, 10));
        assertTrue(e.getMessage().contains(shard.toString()) && e.getMessage().contains("SHA-256"), e.getMessage());
        assertEquals(1, store.verifyAll().size());
        Get4jException other = assertThrows(Get4jException.class, () -> PairStore.open(out, "another-teacher"));
        assertTrue(other.getMessage().contains("another-teacher"), other.getMessage());
        Get4jException plan = assertThrows(Get4jException.class,
                () -> generate(out, SeedRange.parse("0-19"), 5, 5, false));
        assertTrue(plan.getMessage().contains("another plan"), plan.getMessage());
        Files.delete(out.resolve(PairManifest.FILE));
        assertTrue(assertThrows(Get4jException.class, () -> PairStore.open(out, null)).getMessage()
                .contains("did not finish"));
    }

    @Test
    void shuffledBatchesAreSeededAndVisitEveryPairOncePerEpoch() {
        Path out = dir.resolve("sh");
        generate(out, SeedRange.parse("100-122"), 6, 8, false);
        PairStore store = PairStore.open(out, null);
        Set<Long> seen = new HashSet<>();
        for (int k = 0; k < 23; k++) {
            for (long s : store.batch(5, k, 1).seeds()) {
                seen.add(s);
            }
        }
        assertEquals(23, seen.size(), "one epoch of batch size 1 visits every pair once");
        assertArrayEquals(store.batch(5, 3, 4).seeds(), PairStore.open(out, null).batch(5, 3, 4).seeds());
        assertTrue(!java.util.Arrays.equals(store.batch(5, 0, 8).seeds(), store.batch(6, 0, 8).seeds()));
    }

    @Test
    void importsTheReferencesPairFiles() throws Exception {
        for (String kind : new String[] {"uncond", "cond"}) {
            Path ref = Path.of(PairStoreTest.class.getResource("/fixtures/reference_pairs/" + kind).toURI());
            Path out = dir.resolve("imported-" + kind);
            PairManifest m = ReferenceImport.convert(ref, out, "reference-edm", line -> { });
            assertEquals(6, m.count());
            assertEquals(2, m.shards().size());
            Pairs p = PairStore.open(out, "reference-edm").range(0, 6);
            assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5}, p.seeds());
            for (int i = 0; i < p.noise().length; i++) {
                assertEquals(Math.tanh(p.noise()[i] * 0.5), p.images()[i], 1e-6);
            }
            if (kind.equals("cond")) {
                assertArrayEquals(new long[] {0, 1, 2, 0, 1, 2}, p.labels());
            }
        }
    }
}
