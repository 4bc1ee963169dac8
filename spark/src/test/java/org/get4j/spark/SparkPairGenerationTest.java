package org.get4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.get4j.diffusion.GaussianMixtureTeacher;
import org.get4j.diffusion.SamplerConfig;
import org.get4j.diffusion.Teachers;
import org.get4j.io.FolderLock;
import org.get4j.pairs.PairGenerator;
import org.get4j.pairs.PairManifest;
import org.get4j.pairs.SeedRange;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkPairGenerationTest {
    @TempDir
    static Path dir;
    static JavaSparkContext sc;
    static Path gmm;
    static Path reference;
    static final SamplerConfig SAMPLER = SamplerConfig.reference().withSteps(4);

    /** A small analytic teacher on 16 x 16 images (fast), saved to a file the executors open. */
    @BeforeAll
    static void setUp() {
        gmm = dir.resolve("gmm.safetensors");
        try (NDManager m = TorchRuntime.newManager(); GaussianMixtureTeacher t = GaussianMixtureTeacher.toy(m)) {
            t.save(gmm);
        }
        reference = singleMachine(gmm.toString(), "0-23", 5, 3, "reference");
        sc = LocalSpark.start(2);
    }

    @AfterAll
    static void tearDown() {
        if (sc != null) {
            sc.close();
        }
    }

    private static Path singleMachine(String teacher, String seeds, int shardSize, int batch, String name) {
        Path out = dir.resolve(name);
        try (NDManager m = TorchRuntime.newManager()) {
            new PairGenerator(Teachers.load(m, Path.of(teacher)), SAMPLER, SeedRange.parse(seeds), shardSize, batch, false)
                    .generate(m, out, p -> { });
        }
        return out;
    }

    private static SparkPairGeneration.Job job(String teacher, String seeds, int shardSize, Path out) {
        return job(teacher, seeds, shardSize, 3, out);
    }

    private static SparkPairGeneration.Job job(String teacher, String seeds, int shardSize, int batch, Path out) {
        return new SparkPairGeneration.Job(teacher, SAMPLER, SeedRange.parse(seeds), shardSize, batch, false,
                out.toUri().toString());
    }

    /**
     * Every file of a store, by name: plan, shards and manifest must match byte for byte. Only the single-machine
     * writer's lock file ({@code .lock}, which holds its process id) is not store content.
     */
    static void assertSameStore(Path expected, Path actual) throws IOException {
        List<String> names = list(expected);
        assertEquals(names, list(actual), "files of " + actual);
        for (String name : names) {
            assertArrayEquals(Files.readAllBytes(expected.resolve(name)), Files.readAllBytes(actual.resolve(name)), name);
        }
    }

    private static List<String> list(Path store) throws IOException {
        try (Stream<Path> s = Files.list(store)) {
            List<String> names = new ArrayList<>(s.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals(FolderLock.FILE)).toList());
            Collections.sort(names);
            return names;
        }
    }

    @Test
    void sparkPairsAreByteIdenticalToSingleMachinePairs() throws IOException {
        Path out = dir.resolve("spark");
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        SparkPairGeneration.Result r = SparkPairGeneration.generate(sc, job(gmm.toString(), "0-23", 5, out),
                SparkPairGeneration.Faults.NONE, log::add);
        assertEquals(List.of(0, 1, 2, 3, 4), r.made());
        assertEquals(5, r.manifest().shards().size());
        assertSameStore(reference, out);
        // the shipped EDM U-Net teacher too (the real workload), on 32 x 32 MNIST-shaped pairs, four shards, two at a time.
        // Its convolutions round differently on 2 threads than on 1, and a task thread does not inherit the engine's
        // thread count: without each task pinning it, these bytes differ.
        Path unet = Path.of(System.getenv("GET4J_DATA"), "teachers", "edm-mnist-small.safetensors");
        Path sparkUnet = dir.resolve("spark-unet");
        SparkPairGeneration.generate(sc, job(unet.toString(), "0-39", 10, 10, sparkUnet));
        assertSameStore(singleMachine(unet.toString(), "0-39", 10, 10, "reference-unet"), sparkUnet);
        // a rerun finds every shard in place and makes none
        SparkPairGeneration.Result again = SparkPairGeneration.generate(sc, job(gmm.toString(), "0-23", 5, out));
        assertEquals(List.of(), again.made());
        assertEquals(List.of(0, 1, 2, 3, 4), again.kept());
        assertSameStore(reference, out);
    }

    /** A TorchScript teacher file (EDM's calling convention, with its .json description) and class-conditional pairs. */
    @Test
    void aTorchScriptTeacherMakesIdenticalConditionalPairs() throws IOException {
        Path script = Path.of("..", "src", "test", "resources", "fixtures", "torchscript", "tiny_denoiser.pt")
                .toAbsolutePath().normalize();
        Path local = dir.resolve("torchscript-reference");
        try (NDManager m = TorchRuntime.newManager()) {
            new PairGenerator(Teachers.load(m, script), SAMPLER, SeedRange.parse("0-9"), 4, 3, true)
                    .generate(m, local, p -> { });
        }
        Path out = dir.resolve("torchscript-spark");
        SparkPairGeneration.Result r = SparkPairGeneration.generate(sc, new SparkPairGeneration.Job(script.toString(),
                SAMPLER, SeedRange.parse("0-9"), 4, 3, true, out.toUri().toString()));
        assertEquals(3, r.manifest().numClasses());
        assertSameStore(local, out);
    }

    @Test
    void aTaskThatFailsOnceIsRetriedAndTheResultIsStillIdentical() throws IOException {
        Path out = dir.resolve("retried");
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        SparkPairGeneration.Result r = SparkPairGeneration.generate(sc, job(gmm.toString(), "0-23", 5, out),
                new SparkPairGeneration.Faults(Set.of(2), Set.of()), log::add);
        assertEquals(List.of(0, 1, 2, 3, 4), r.made());
        assertEquals(1, r.temporariesRemoved(), "the failed attempt's temporary file is cleaned up");
        assertSameStore(reference, out);
    }

    @Test
    void aJobKilledMidwayAndRestartedMakesOnlyTheMissingShards() throws IOException {
        Path out = dir.resolve("restarted");
        SparkPairGeneration.Job job = job(gmm.toString(), "0-23", 5, out);
        // shard 3 fails on every attempt: Spark gives up and the job dies with some shards written
        assertThrows(Exception.class, () -> SparkPairGeneration.generate(sc, job,
                new SparkPairGeneration.Faults(Set.of(), Set.of(3)), line -> { }));
        assertFalse(Files.exists(out.resolve(PairManifest.FILE)), "no manifest for an unfinished store");
        // Tasks still running when the job died finish (and may rename their shard into place) after the driver
        // has given up: wait for them, or a shard could appear between this listing and the restart.
        awaitNoRunningTasks();
        awaitStableFolder(out); // the tracker can report a killed task idle before its thread has renamed its shard
        // a shard damaged by the crash (truncated) must be made again, not trusted
        Set<Integer> intact = new TreeSet<>();
        for (int i = 0; i < 5; i++) {
            if (Files.exists(out.resolve(PairManifest.shardFile(i)))) {
                intact.add(i);
            }
        }
        assertFalse(intact.isEmpty(), "the first tasks finished before the job died");
        assertFalse(intact.contains(3));
        int damaged = intact.iterator().next();
        Path victim = out.resolve(PairManifest.shardFile(damaged));
        byte[] bytes = Files.readAllBytes(victim);
        Files.write(victim, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        intact.remove(damaged);

        SparkPairGeneration.Result r = SparkPairGeneration.generate(sc, job);
        Set<Integer> missing = new TreeSet<>(List.of(0, 1, 2, 3, 4));
        missing.removeAll(intact);
        assertEquals(missing, new TreeSet<>(r.made()), "made exactly the missing and damaged shards");
        assertEquals(intact, new TreeSet<>(r.kept()));
        assertTrue(r.made().contains(damaged));
        assertSameStore(reference, out);
    }

    /** Waits until the folder's listing stays the same over one second (at most a minute). */
    static void awaitStableFolder(Path folder) throws IOException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        List<String> last = null;
        int stable = 0;
        while (stable < 5 && System.nanoTime() < deadline) {
            List<String> now;
            try (java.util.stream.Stream<Path> files = Files.list(folder)) {
                now = files.map(f -> f.getFileName().toString()).sorted().toList();
            }
            stable = now.equals(last) ? stable + 1 : 0;
            last = now;
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Waits (up to a minute) until no executor runs a task. */
    private static void awaitNoRunningTasks() {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            boolean idle = java.util.Arrays.stream(sc.sc().statusTracker().getExecutorInfos())
                    .allMatch(e -> e.numRunningTasks() == 0);
            if (idle && sc.statusTracker().getActiveStageIds().length == 0) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new AssertionError("Spark tasks still running a minute after the job died");
    }
}
