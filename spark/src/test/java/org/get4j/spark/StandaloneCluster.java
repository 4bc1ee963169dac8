package org.get4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;

/**
 * A Spark standalone cluster on the loopback interface, as separate processes: one master and N workers started from
 * this JVM's classpath (the module's own Spark jars), each on free ports, logging to files under {@code dir}.
 * Executors are the workers' child processes; they get this JVM's classpath too ({@link #conf}), which on a real
 * cluster is the job jar and its libraries (README, "Spark").
 */
final class StandaloneCluster implements AutoCloseable {
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    /** What Spark's launcher adds on Java 17: the module's list, shared with its test JVM (java17.args). */
    private static final Path JAVA17_ARGS = Path.of("java17.args").toAbsolutePath();

    private final Path dir;
    private final int masterPort;
    private final int masterUiPort;
    private final Process master;
    private final List<Process> workers = new ArrayList<>();
    private final List<Integer> workerUiPorts = new ArrayList<>();

    private StandaloneCluster(Path dir, int masterPort, int masterUiPort, Process master) {
        this.dir = dir;
        this.masterPort = masterPort;
        this.masterUiPort = masterUiPort;
        this.master = master;
    }

    /** Starts a master and {@code workers} workers of {@code cores} cores each; returns once all have registered. */
    static StandaloneCluster start(Path dir, int workers, int cores) throws IOException {
        Files.createDirectories(dir);
        // Spark's launcher builds an executor's command from SPARK_HOME: a RELEASE file and a jars folder. Here the
        // folder is empty and every class comes from spark.executor.extraClassPath.
        Path home = Files.createDirectories(dir.resolve("spark-home"));
        Files.createDirectories(home.resolve("jars"));
        Files.writeString(home.resolve("RELEASE"), "get4j test cluster: classes from the test classpath\n");
        int port = freePort();
        int ui = freePort();
        StandaloneCluster c = new StandaloneCluster(dir, port, ui, launch(dir, home, "master",
                "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", "" + port, "--webui-port",
                "" + ui));
        try {
            for (int i = 0; i < workers; i++) {
                c.addWorker(cores);
            }
            c.awaitWorkers(workers);
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private void addWorker(int cores) throws IOException {
        int i = workers.size();
        int ui = freePort();
        Path work = Files.createDirectories(dir.resolve("worker-" + i));
        workers.add(launch(dir, dir.resolve("spark-home"), "worker-" + i, "org.apache.spark.deploy.worker.Worker",
                "--host", "127.0.0.1", "--webui-port", "" + ui, "--cores", "" + cores, "--memory", "3g", "--work-dir",
                work.toString(), masterUrl()));
        workerUiPorts.add(ui);
    }

    private static Process launch(Path dir, Path home, String name, String mainClass, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "@" + JAVA17_ARGS, "-Xmx512m", "-cp",
                System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        Map<String, String> env = pb.environment();
        env.put("SPARK_HOME", home.toString());
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("OPT_OUT_TRACKING", "true");
        return pb.start();
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    /** The master's web UI, where a user watches applications and workers. */
    String webUi() {
        return "http://127.0.0.1:" + masterUiPort;
    }

    /** The web UI port of worker {@code i}: executors' log addresses name it, which maps an executor to its worker. */
    int workerUiPort(int i) {
        return workerUiPorts.get(i);
    }

    /**
     * kill -9 of worker {@code i}'s process, as when its machine dies. Its executors (child processes) notice that
     * their worker is gone and exit on their own; this waits (up to a minute) until they have.
     */
    void kill(int i) throws InterruptedException {
        List<ProcessHandle> executors = workers.get(i).descendants().toList();
        workers.get(i).destroyForcibly();
        workers.get(i).waitFor();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (executors.stream().anyMatch(ProcessHandle::isAlive)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the executors of the killed worker " + i + " did not exit");
            }
            Thread.sleep(100);
        }
    }

    /**
     * A context on this cluster for the test JVM as driver: executors run with the test classpath, one libtorch thread
     * per task and DJL offline, as the module's tests do in local mode.
     */
    SparkConf conf(String app) {
        return new SparkConf().setMaster(masterUrl()).setAppName(app)
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false")
                .set("spark.executor.memory", "1g")
                .set("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .set("spark.executor.extraJavaOptions", "-Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 "
                        + "-Dai.djl.pytorch.num_interop_threads=1")
                .set("spark.executorEnv.OPT_OUT_TRACKING", "true")
                .set("spark.executorEnv.GET4J_DATA", System.getenv("GET4J_DATA"));
    }

    /** The same settings as system properties, for a driver started as its own process (the CLI). */
    List<String> driverProperties(String app) {
        List<String> props = new ArrayList<>();
        for (scala.Tuple2<String, String> kv : conf(app).getAll()) {
            props.add("-D" + kv._1() + "=" + kv._2());
        }
        return props;
    }

    /** Waits (up to two minutes) until the master lists {@code n} live workers. */
    private void awaitWorkers(int n) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Pattern alive = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)");
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!master.isAlive()) {
                throw new IllegalStateException("the Spark master exited: see " + dir.resolve("master.log"));
            }
            try {
                String json = http.send(HttpRequest.newBuilder(URI.create(webUi() + "/json/")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                Matcher m = alive.matcher(json);
                if (m.find() && Integer.parseInt(m.group(1)) >= n) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(250);
        }
        throw new IllegalStateException(n + " workers did not register with the master within two minutes: see the "
                + "logs in " + dir);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops every process of the cluster, executors included (the workers' descendants). */
    @Override
    public void close() {
        List<Process> all = new ArrayList<>(workers);
        all.add(master);
        for (Process p : all) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : all) {
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
