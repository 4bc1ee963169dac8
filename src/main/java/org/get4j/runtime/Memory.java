package org.get4j.runtime;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's memory: resident set size (native arrays live outside the Java heap, so RSS is what grows when
 * engine arrays leak) and the Java heap. Values in MiB; -1 where /proc is not available.
 */
public final class Memory {
    private Memory() {}

    /** Current resident set size (VmRSS). */
    public static long rssMiB() {
        return procStatus("VmRSS:");
    }

    /** Peak resident set size (VmHWM). */
    public static long peakRssMiB() {
        return procStatus("VmHWM:");
    }

    /** Java heap in use now. */
    public static long heapUsedMiB() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
    }

    /** The sum of the heap pools' peaks since the start (or the last {@link #resetPeaks()}). */
    public static long peakHeapMiB() {
        long bytes = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                bytes += pool.getPeakUsage().getUsed();
            }
        }
        return bytes >> 20;
    }

    /** Restarts both peaks, so the next reading covers only what follows (RSS: Linux's clear_refs, where allowed). */
    public static void resetPeaks() {
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // not Linux, or not permitted: the RSS peak then covers the whole process
        }
    }

    /**
     * Memory the system can still give to processes, in MiB: Linux's MemAvailable, or less when a container's
     * cgroup limit leaves less (memory.max minus memory.current); -1 where unknown.
     */
    public static long availableMiB() {
        long available = procFile(Path.of("/proc/meminfo"), "MemAvailable:");
        try {
            String max = Files.readString(Path.of("/sys/fs/cgroup/memory.max")).strip();
            if (!max.equals("max")) {
                long left = (Long.parseLong(max) - Long.parseLong(Files.readString(
                        Path.of("/sys/fs/cgroup/memory.current")).strip())) >> 20;
                available = available < 0 ? left : Math.min(available, left);
            }
        } catch (IOException | NumberFormatException e) {
            // no cgroup v2 limit readable: MemAvailable alone
        }
        return available;
    }

    private static long procStatus(String key) {
        return procFile(Path.of("/proc/self/status"), key);
    }

    private static long procFile(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
