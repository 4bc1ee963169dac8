package org.get4j.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.util.cuda.CudaUtils;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
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
        if (engine.getGpuCount() > 0) {
            r.put("cuda", cudaVersion(CudaUtils.getCudaVersionString()));
            List<String> names = nvidiaSmiNames();
            for (int i = 0; i < engine.getGpuCount(); i++) {
                r.put("gpu " + i, gpuLine(i < names.size() ? names.get(i) : "GPU " + i,
                        CudaUtils.getGpuMemory(Device.gpu(i)).getMax(), CudaUtils.getComputeCapability(i)));
            }
        }
        r.put("device", TorchRuntime.defaultDevice().toString());
        r.put("cpu", cpuModel());
        r.put("threads", TorchRuntime.threads() + " of " + Runtime.getRuntime().availableProcessors() + " cores");
        r.put("max heap", Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
        return r;
    }

    /** "12.4" for CUDA's "124" (major digits, then one minor digit). */
    static String cudaVersion(String digits) {
        return digits == null || digits.length() < 2 ? String.valueOf(digits)
                : digits.substring(0, digits.length() - 1) + "." + digits.substring(digits.length() - 1);
    }

    /** "NVIDIA A100-SXM4-40GB, 40.0 GiB, compute capability 8.0". */
    static String gpuLine(String name, long bytes, String capability) {
        String cc = capability == null || capability.length() < 2 ? String.valueOf(capability)
                : capability.substring(0, capability.length() - 1) + "." + capability.substring(capability.length() - 1);
        return String.format("%s, %.1f GiB, compute capability %s", name, bytes / (double) (1L << 30), cc);
    }

    /** GPU names from nvidia-smi when it is installed (DJL reports memory and capability, not names). */
    private static List<String> nvidiaSmiNames() {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=name", "--format=csv,noheader")
                    .redirectErrorStream(true).start();
            List<String> names = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::strip).filter(l -> !l.isEmpty()).toList();
            return p.waitFor() == 0 ? names : List.of();
        } catch (java.io.IOException e) {
            return List.of(); // no nvidia-smi
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
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
