package org.get4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.get4j.diffusion.SamplerConfig;
import org.get4j.diffusion.Teachers;
import org.get4j.pairs.PairGenerator;
import org.get4j.pairs.PairManifest;
import org.get4j.pairs.SeedRange;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark jobs on a real standalone cluster: a master and two workers as separate processes on the loopback
 * interface, executors in their own JVMs (closures serialized, files shipped, a worker that dies). Results are
 * compared with one machine: pairs byte for byte (one libtorch thread per task), statistics to 1e-12.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkClusterTest {
    /** The real workload, the shipped U-Net at 35 evaluations: shards of 20 take long enough to kill a worker mid-task. */
    static final SamplerConfig SAMPLER = SamplerConfig.reference();
    static final String SEEDS = "0-239";
    static final int SHARD = 20;
    static final int SHARDS = 12;
    static final int BATCH = 10;

    @TempDir
    static Path dir;
    static StandaloneCluster cluster;
    static Path teacher;
    static Path reference;

    @BeforeAll
    static void start() throws IOException {
        teacher = Path.of(System.getenv("GET4J_DATA"), "teachers", "edm-mnist-small.safetensors");
        reference = dir.resolve("reference");
        try (NDManager m = TorchRuntime.newManager()) { // this JVM runs libtorch on one thread (spark/pom.xml)
            new PairGenerator(Teachers.load(m, teacher), SAMPLER, SeedRange.parse(SEEDS), SHARD, BATCH, false)
                    .generate(m, reference, p -> { });
        }
        Path logs = Path.of("target", "spark-cluster").toAbsolutePath();
        deleteRecursively(logs);
        cluster = StandaloneCluster.start(logs, 2, 1);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static SparkPairGeneration.Job job(String teacherSpec, Path out) {
        return new SparkPairGeneration.Job(teacherSpec, SAMPLER, SeedRange.parse(SEEDS), SHARD, BATCH, false,
                out.toUri().toString());
    }

    @Test
    @Order(1)
    void pairsAndStatisticsOnTwoWorkersEqualOneMachine() throws IOException {
        Path out = dir.resolve("cluster");
        try (JavaSparkContext sc = new JavaSparkContext(cluster.conf("get4j-cluster-pairs"))) {
            ExecutorWorkers where = ExecutorWorkers.listen(sc);
            SparkPairGeneration.Result r = SparkPairGeneration.generate(sc, job(teacher.toString(), out));
            assertEquals(SHARDS, r.made().size());
            SparkPairGenerationTest.assertSameStore(reference, out);
            assertEquals(2, where.workersThatRanTasks().size(), "both workers' executors made shards: "
                    + where.workersThatRanTasks());

            SparkStatistics.Features lenet = new SparkStatistics.Features("lenet-mnist", null);
            SparkStatisticsTest.assertSame(SparkStatisticsTest.singleMachine(SparkStatisticsTest.storeImages(out), BATCH),
                    SparkStatistics.ofPairs(sc, out.toString(), lenet, BATCH));
        }
    }

    /**
     * A file named by a path only the driver can open (relative to the driver's folder; an executor runs in its own
     * work folder) reaches the executors when it is shipped with the job, as {@code spark-submit --files} does: here a
     * TorchScript teacher and its description, making class-conditional pairs identical to one machine's.
     */
    @Test
    @Order(2)
    void aTeacherShippedWithTheJobReachesExecutorsThatCannotOpenItsPath() throws IOException {
        Path fixtures = Path.of("..", "src", "test", "resources", "fixtures", "torchscript").toAbsolutePath().normalize();
        Path shipped = Files.createDirectories(Path.of("target", "spark-cluster", "shipped"));
        for (String name : List.of("tiny_denoiser.pt", "tiny_denoiser.pt.json")) {
            Files.copy(fixtures.resolve(name), shipped.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        String driverOnly = shipped.resolve("tiny_denoiser.pt").toString(); // relative: target/spark-cluster/shipped/...
        assertFalse(Path.of(driverOnly).isAbsolute());
        SparkPairGeneration.Job job = new SparkPairGeneration.Job(driverOnly, SamplerConfig.reference().withSteps(4),
                SeedRange.parse("0-9"), 4, 3, true, dir.resolve("torchscript-cluster").toUri().toString());

        // Not shipped: the executors cannot open it, and the job fails naming the file.
        try (JavaSparkContext sc = new JavaSparkContext(cluster.conf("get4j-cluster-unshipped")
                .set("spark.task.maxFailures", "1"))) {
            Exception e = assertThrows(Exception.class, () -> SparkPairGeneration.generate(sc, job));
            assertTrue(String.valueOf(rootMessage(e)).contains("tiny_denoiser.pt"), rootMessage(e));
        }
        // Shipped (--files): the same job succeeds.
        Path local = dir.resolve("torchscript-local");
        try (NDManager m = TorchRuntime.newManager()) {
            new PairGenerator(Teachers.load(m, fixtures.resolve("tiny_denoiser.pt")), job.sampler(), job.seeds(), 4, 3,
                    true).generate(m, local, p -> { });
        }
        deleteRecursively(dir.resolve("torchscript-cluster"));
        try (JavaSparkContext sc = new JavaSparkContext(cluster.conf("get4j-cluster-files"))) {
            sc.addFile(shipped.resolve("tiny_denoiser.pt").toAbsolutePath().toString());
            sc.addFile(shipped.resolve("tiny_denoiser.pt.json").toAbsolutePath().toString());
            SparkPairGeneration.Result r = SparkPairGeneration.generate(sc, job);
            assertEquals(3, r.manifest().numClasses());
        }
        SparkPairGenerationTest.assertSameStore(local, dir.resolve("torchscript-cluster"));
    }

    /**
     * The driver is killed (kill -9) half-way through the job; the same command, run again, makes only the shards
     * that are missing. The driver is the command-line tool in its own process, as a user runs it.
     */
    @Test
    @Order(3)
    void aDriverKilledHalfWayIsRestartedAndMakesOnlyTheMissingShards() throws Exception {
        Path out = dir.resolve("driver-killed");
        Process first = driver(out, "driver-1.log");
        awaitShards(out, SHARDS / 3, first);
        first.destroyForcibly();
        first.waitFor();
        // The master ends the application and the workers stop its executors; a task may finish its rename first.
        SparkPairGenerationTest.awaitStableFolder(out);
        int intact = shardFiles(out).size();
        assertTrue(intact >= SHARDS / 3 && intact < SHARDS, intact + " shards before the restart");
        assertFalse(Files.exists(out.resolve(PairManifest.FILE)), "no manifest for an unfinished store");

        Process second = driver(out, "driver-2.log");
        assertTrue(second.waitFor(10, TimeUnit.MINUTES), "the restarted driver finished");
        String log = Files.readString(Path.of("target", "spark-cluster", "driver-2.log"));
        assertEquals(0, second.exitValue(), log);
        assertTrue(log.contains("made " + (SHARDS - intact) + " shard(s), kept " + intact + " already in place"), log);
        SparkPairGenerationTest.assertSameStore(reference, out);
    }

    /** kill -9 of a worker while its executor runs a task: the job finishes on the other worker, the store identical. */
    @Test
    @Order(4) // last: the cluster has one worker left afterwards
    void aWorkerKilledMidJobLeavesTheStoreIdenticalAndNoTemporaries() throws Exception {
        Path out = dir.resolve("worker-killed");
        try (JavaSparkContext sc = new JavaSparkContext(cluster.conf("get4j-cluster-worker-killed"))) {
            ExecutorWorkers where = ExecutorWorkers.listen(sc);
            CompletableFuture<SparkPairGeneration.Result> job = CompletableFuture.supplyAsync(
                    () -> SparkPairGeneration.generate(sc, job(teacher.toString(), out)));
            long deadline = System.nanoTime() + 300_000_000_000L;
            while (!(shardFiles(out).size() >= 2 && where.running(cluster.workerUiPort(1)))) {
                assertFalse(job.isDone(), "the job ended before worker 1 could be killed mid-task");
                assertTrue(System.nanoTime() < deadline, "worker 1 never ran a task");
                Thread.sleep(20);
            }
            cluster.kill(1);
            SparkPairGeneration.Result r = job.get(10, TimeUnit.MINUTES);
            assertEquals(SHARDS, r.made().size() + r.kept().size());
            assertTrue(where.failedTasks() >= 1, "the task running on the killed worker failed and was rerun");
        }
        SparkPairGenerationTest.assertSameStore(reference, out);
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of(), files.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith(HadoopFiles.TMP_PREFIX)).toList(), "temporary files left");
        }
    }

    /** Which worker each executor runs on (its log address names the worker's web UI port) and what tasks did. */
    static final class ExecutorWorkers extends SparkListener {
        private final Map<String, Integer> workerOf = new ConcurrentHashMap<>();
        private final Map<Long, String> running = new ConcurrentHashMap<>();
        private final java.util.Set<Integer> ranTasks = ConcurrentHashMap.newKeySet();
        private final java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();

        static ExecutorWorkers listen(JavaSparkContext sc) {
            ExecutorWorkers l = new ExecutorWorkers();
            sc.sc().addSparkListener(l);
            return l;
        }

        @Override
        public void onExecutorAdded(SparkListenerExecutorAdded e) {
            String stdout = e.executorInfo().logUrlMap().get("stdout").getOrElse(() -> "");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(":(\\d+)/").matcher(stdout);
            if (m.find()) {
                workerOf.put(e.executorId(), Integer.parseInt(m.group(1)));
            }
        }

        @Override
        public void onTaskStart(SparkListenerTaskStart e) {
            running.put(e.taskInfo().taskId(), e.taskInfo().executorId());
            Integer ui = workerOf.get(e.taskInfo().executorId());
            if (ui != null) {
                ranTasks.add(ui);
            }
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd e) {
            running.remove(e.taskInfo().taskId());
            if (e.taskInfo().failed()) {
                failed.incrementAndGet();
            }
        }

        /** Whether an executor of the worker with this web UI port runs a task now. */
        boolean running(int workerUiPort) {
            return running.values().stream().anyMatch(id -> Integer.valueOf(workerUiPort).equals(workerOf.get(id)));
        }

        java.util.Set<Integer> workersThatRanTasks() {
            return ranTasks;
        }

        int failedTasks() {
            return failed.get();
        }
    }

    /** The command-line tool as the driver, in its own JVM, on this cluster. */
    private static Process driver(Path out, String logName) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + Path.of("java17.args").toAbsolutePath(), "-Xmx1g", "-Dai.djl.offline=true"));
        cmd.addAll(cluster.driverProperties("get4j-cluster-driver"));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.get4j.cli.Main", "pairs", "generate",
                "--spark", "--teacher", teacher.toString(), "--seeds", SEEDS, "--shard-size", "" + SHARD, "--batch",
                "" + BATCH, "--out", out.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(Path.of("target", "spark-cluster", logName).toFile());
        pb.environment().put("GET4J_THREADS", "1");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return pb.start();
    }

    private static void awaitShards(Path out, int n, Process driver) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (shardFiles(out).size() < n) {
            assertTrue(driver.isAlive(), "the driver ended before " + n + " shards were made");
            assertTrue(System.nanoTime() < deadline, "no " + n + " shards within five minutes");
            Thread.sleep(20);
        }
    }

    /** The committed shard files of a store (not temporaries, not the plan or manifest). */
    private static List<String> shardFiles(Path store) throws IOException {
        if (!Files.isDirectory(store)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(store)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> !n.startsWith(HadoopFiles.TMP_PREFIX) && n.startsWith("shard-")).sorted().toList();
        }
    }

    private static String rootMessage(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> all = Files.walk(p)) {
            for (Path f : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
