package org.get4j.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import org.get4j.Get4jException;

/**
 * The one door to the tensor engine. Every get4j entry point that creates arrays goes through here, so the engine
 * starts offline (no telemetry call-home, no downloads) with the configured thread counts, whatever launched it:
 * the CLI, a notebook kernel, or a user's own program.
 *
 * <p>Settings, each read once before the engine starts: {@code GET4J_THREADS} (intra-op threads, default: cores),
 * {@code GET4J_DEVICE} ({@code auto}, {@code cpu}, {@code gpu} or {@code gpu:N}; default auto = a GPU when the
 * engine reports one). This is the only class besides {@code Torch} that touches engine-specific API.
 */
public final class TorchRuntime {
    public static final String ENGINE = "PyTorch";
    private static volatile boolean configured;

    private TorchRuntime() {}

    /** Sets the offline flags and thread counts; idempotent. Call before anything touches DJL's Engine. */
    public static synchronized void configure() {
        if (configured) {
            return;
        }
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
        setIfAbsent("ai.djl.default_engine", ENGINE);
        String threads = System.getenv("GET4J_THREADS");
        if (threads != null && !threads.isBlank()) {
            parseThreads(threads, "GET4J_THREADS");
            setIfAbsent("ai.djl.pytorch.num_threads", threads.strip());
        }
        // Inter-op parallelism only adds contention for the small graphs we run.
        setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
        BundledLibTorch.useOnAnyMachine();
        configured = true;
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** The PyTorch engine, started offline; a failure to start is one sentence with the cause and what to do. */
    public static Engine engine() {
        configure();
        try {
            return Engine.getEngine(ENGINE);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new Get4jException(startFailure(e, BundledLibTorch.find()), e);
        }
    }

    /** Why the engine did not start: the deepest cause, the versions that must belong together, the way out. */
    static String startFailure(Throwable e, BundledLibTorch bundled) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String cause = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return "the PyTorch engine did not start: " + cause + " (DJL " + Versions.djl() + ", built for libtorch "
                + Versions.pytorch() + "; bundled: " + (bundled == null ? "no libtorch jar on the classpath"
                : bundled.describe() + " libtorch " + bundled.version()) + "). Engine, JNI and libtorch must come "
                + "from one DJL release: build with `mvn package` (CPU) or `mvn -Pcuda package` (CUDA), see the "
                + "README's GPU section; or set PYTORCH_LIBRARY_PATH to a libtorch folder of the expected version";
    }

    /** A new root manager on the default device. */
    public static NDManager newManager() {
        return newManager(defaultDevice());
    }

    public static NDManager newManager(Device device) {
        return engine().newBaseManager(device);
    }

    /** The device named by {@code GET4J_DEVICE}, else a GPU if the engine has one, else the CPU. */
    public static Device defaultDevice() {
        String spec = System.getenv("GET4J_DEVICE");
        return device(spec == null || spec.isBlank() ? "auto" : spec);
    }

    /**
     * Parses a device name: {@code auto}, {@code cpu}, {@code gpu} or {@code gpu:N}.
     * Asking for a GPU the engine does not have is an error, not a silent fall-back to the CPU.
     */
    public static Device device(String spec) {
        String s = spec.strip().toLowerCase();
        int gpus = engine().getGpuCount();
        if (s.equals("auto")) {
            return gpus > 0 ? Device.gpu() : Device.cpu();
        }
        if (s.equals("cpu")) {
            return Device.cpu();
        }
        if (s.equals("gpu") || s.equals("cuda") || s.matches("(gpu|cuda):\\d+")) {
            int id = s.contains(":") ? Integer.parseInt(s.substring(s.indexOf(':') + 1)) : 0;
            if (id >= gpus) {
                throw new Get4jException("device '" + spec + "' requested but the engine reports " + gpus
                        + " GPU(s); the default build uses the CPU libtorch (see README, section GPU)");
            }
            return Device.gpu(id);
        }
        throw new Get4jException("unknown device '" + spec + "' (expected auto, cpu, gpu or gpu:N)");
    }

    /** Intra-op threads the engine uses now. */
    public static int threads() {
        engine();
        return JniUtils.getNumThreads();
    }

    /** Changes the intra-op thread count of the running engine. */
    public static void setThreads(int threads) {
        engine();
        JniUtils.setNumThreads(parseThreads(Integer.toString(threads), "threads"));
    }

    static int parseThreads(String value, String what) {
        int n;
        try {
            n = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new Get4jException(what + " must be a positive integer, got '" + value + "'");
        }
        if (n < 1) {
            throw new Get4jException(what + " must be a positive integer, got " + n);
        }
        return n;
    }
}
