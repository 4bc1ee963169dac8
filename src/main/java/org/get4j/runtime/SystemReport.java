package org.get4j.runtime;

import ai.djl.engine.Engine;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code get4j info} prints and notebooks show first: versions, engine, device, threads; callers above the data
 * layer add what data was found ({@code Datasets.report()}), so that this tool does not reach up into the pipeline.
 */
public final class SystemReport {
    private SystemReport() {}

    public static Map<String, String> collect() {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("get4j", Versions.get4j());
        r.put("java", Versions.java());
        Engine engine = TorchRuntime.engine();
        r.put("djl", Engine.getDjlVersion());
        BundledLibTorch lib = BundledLibTorch.find();
        r.put("engine", engine.getEngineName() + " " + engine.getVersion() + (lib == null ? ""
                : " (" + lib.describe() + " build, libtorch " + lib.version() + ")"));
        r.put("offline", System.getProperty("ai.djl.offline"));
        r.put("gpus", Integer.toString(engine.getGpuCount()));
        r.put("device", TorchRuntime.defaultDevice().toString());
        r.put("cpu", cpuModel());
        r.put("threads", TorchRuntime.threads() + " of " + Runtime.getRuntime().availableProcessors() + " cores");
        r.put("max heap", Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
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

    /** The report followed by {@code more} (the data found, say), aligned as one. */
    public static String text(Map<String, String> more) {
        Map<String, String> all = collect();
        all.putAll(more);
        return format(all);
    }
}
