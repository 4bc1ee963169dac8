package org.get4j.kernel;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * Runs cell code in the kernel's JVM, on one long-lived thread (as a Python kernel runs cells on its main thread: a
 * thread-local set in one cell, such as libtorch's grad mode, holds in the next), and keeps each snippet's value as an
 * object so that an image returned by a cell can be rendered, not just printed.
 *
 * <p>Stopping: {@link #stop} first interrupts the cell thread, which ends blocking calls and loops that check
 * {@code Thread.interrupted()}; a cell still running after {@link #GRACE_MILLIS} is stopped with {@code Thread.stop},
 * which unwinds it through its finally blocks (so try-with-resources scopes close) at the next bytecode it runs.
 */
final class CellExecutionControl extends DirectExecutionControl {
    static final long GRACE_MILLIS = 1500;
    /** How long {@link #stop} waits for a stopped cell to unwind (a native call finishes first). */
    static final long UNWIND_MILLIS = 30_000;
    static final String VALUE_KEY = "get4j-value-";

    private final SnippetLoader loader;
    private final ExecutorService thread;
    private final Map<String, Object> values = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile Thread running;
    private volatile boolean stopRequested;

    CellExecutionControl(SnippetLoader loader) {
        super(loader);
        this.loader = loader;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "notebook-cell");
            t.setDaemon(true);
            t.setContextClassLoader(loader.classLoader());
            return t;
        });
    }

    /** The provider JShell's builder takes. */
    static ExecutionControlProvider provider(CellExecutionControl control) {
        return new ExecutionControlProvider() {
            @Override
            public String name() {
                return "get4j-cell";
            }

            @Override
            public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
                return control;
            }
        };
    }

    /** The object a snippet produced, by the key its value string holds; null for a key this control did not make. */
    Object value(String key) {
        return key == null ? null : values.get(key);
    }

    /** Forgets every kept value (between cells: nothing stays reachable that the notebook does not hold). */
    void forgetValues() {
        values.clear();
    }

    /** Whether a stop was requested since the last {@link #clearStop}. */
    boolean stopRequested() {
        return stopRequested;
    }

    void clearStop() {
        stopRequested = false;
    }

    @Override
    protected String invoke(Method doit) throws Exception {
        Future<Object> result = thread.submit(() -> {
            running = Thread.currentThread();
            Thread.interrupted(); // an interrupt aimed at an earlier cell must not hit this one
            try {
                return doit.invoke(null);
            } finally {
                running = null;
            }
        });
        try {
            Object value = result.get();
            String key = VALUE_KEY + ids.incrementAndGet();
            if (value != null) {
                values.put(key, value);
            }
            return key;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ThreadDeath) {
                throw new StoppedException();
            }
            if (cause instanceof java.lang.reflect.InvocationTargetException
                    && cause.getCause() instanceof ThreadDeath) {
                throw new StoppedException();
            }
            if (cause instanceof Exception) {
                throw (Exception) cause;
            }
            throw new java.lang.reflect.InvocationTargetException(cause);
        }
    }

    @Override
    @SuppressWarnings({"deprecation", "removal"})
    public void stop() {
        Thread t = running;
        if (t == null) {
            return;
        }
        stopRequested = true;
        t.interrupt();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
        while (running == t && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (running != t) {
            return;
        }
        try {
            t.stop(); // once: a second ThreadDeath could land in the finally blocks the first one runs
        } catch (UnsupportedOperationException e) {
            return; // Java 20+: only cooperative interruption is left
        }
        deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(UNWIND_MILLIS);
        while (running == t && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Waits for the cell thread to be idle, for shutdown. */
    boolean awaitIdle(long millis) throws InterruptedException {
        Future<?> probe = thread.submit(() -> { });
        try {
            probe.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }

    ClassLoader classLoader() {
        return loader.classLoader();
    }
}
