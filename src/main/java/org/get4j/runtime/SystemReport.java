package org.get4j.runtime;

import ai.djl.engine.Engine;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.get4j.data.DataHome;
import org.get4j.data.Dataset;
import org.get4j.data.Datasets;

/** What {@code get4j info} prints and notebooks show first: versions, engine, device, threads, data found. */
public final class SystemReport {
    private SystemReport() {}

    public static Map<String, String> collect() {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("get4j", Versions.get4j());
        r.put("java", Versions.java());
        Engine engine = TorchRuntime.engine();
        r.put("djl", Engine.getDjlVersion());
        r.put("engine", engine.getEngineName() + " " + engine.getVersion());
        r.put("offline", System.getProperty("ai.djl.offline"));
        r.put("gpus", Integer.toString(engine.getGpuCount()));
        r.put("device", TorchRuntime.defaultDevice().toString());
        r.put("cpu", cpuModel());
        r.put("threads", TorchRuntime.threads() + " of " + Runtime.getRuntime().availableProcessors() + " cores");
        r.put("max heap", Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
        Path home = DataHome.resolve();
        r.put("data home", home.toString());
        for (Dataset d : Dataset.values()) {
            List<Datasets.FileCheck> checks = Datasets.verify(home, d);
            long ok = checks.stream().filter(c -> c.status() == Datasets.Status.OK).count();
            String state = ok == checks.size() ? "verified"
                    : checks.stream().anyMatch(c -> c.status() == Datasets.Status.CORRUPT) ? "CORRUPT (run data verify)"
                    : ok + "/" + checks.size() + " files (run `get4j data fetch " + d.dir() + "`)";
            r.put(d.dir(), state);
        }
        return r;
    }

    /** The processor's model name (Linux /proc/cpuinfo), or the JVM's architecture elsewhere. */
    public static String cpuModel() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    /** The report as aligned "key: value" lines. */
    public static String format(Map<String, String> report) {
        int width = report.keySet().stream().mapToInt(String::length).max().orElse(0);
        StringBuilder sb = new StringBuilder();
        report.forEach((k, v) -> sb.append(String.format("%-" + width + "s  %s%n", k, v)));
        return sb.toString();
    }

    public static String text() {
        return format(collect());
    }
}
