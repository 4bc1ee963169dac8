package org.get4j.kernel;

import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
 * <p>Stopping ({@link #stop}, from the kernel's control thread): a stop requested at any moment of a cell, while
 * JShell compiles or between two snippets included, is remembered until the cell ends, so nothing of the cell runs
 * after it. A running snippet is first interrupted, which ends sleeps, blocking calls and loops that check
 * {@code Thread.interrupted()}; one still running after {@link #GRACE_MILLIS} gets a single {@code Thread.stop}, which
 * unwinds it through its finally blocks (try-with-resources scopes close). That stop is only delivered at a safe
 * point: the thread is suspended and inspected first, and not stopped while it runs a static initialiser (the class
 * would stay broken) or holds a lock of the kernel's messaging (a message to Jupyter would be cut in half).
 */
final class CellExecutionControl extends DirectExecutionControl {
    static final long GRACE_MILLIS = 1500;
    /** How long {@link #stop} waits for a stopped cell to unwind (a native call finishes first). */
    static final long UNWIND_MILLIS = 5000;
    static final String VALUE_KEY = "get4j-value-";
    /** The name of the thread cells run on. */
    static final String THREAD_NAME = "notebook-cell";

    private final ExecutorService thread;
    private final Map<String, Object> values = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Object lock = new Object(); // guards running against a stop racing the end of a snippet
    private volatile Thread running;
    private volatile boolean cellActive;
    private volatile boolean stopRequested;
    private volatile boolean forced;

    CellExecutionControl(SnippetLoader loader) {
        super(loader);
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, THREAD_NAME);
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

    /** A cell begins: earlier values are forgotten and a stop from now on applies to it. */
    void beginCell() {
        values.clear();
        stopRequested = false;
        forced = false;
        cellActive = true;
    }

    /** The cell ended: a stop arriving now has nothing to stop. */
    void endCell() {
        cellActive = false;
        values.clear();
    }

    /** Whether a stop was requested during the current cell. */
    boolean stopRequested() {
        return stopRequested;
    }

    /** Whether the stop needed {@code Thread.stop} (the cell ignored its interrupt). */
    boolean forced() {
        return forced;
    }

    /** Runs {@code work} on the cell thread, interruptible like a snippet (rendering a value runs user code). */
    <T> T call(Callable<T> work) throws Exception {
        Future<T> result = thread.submit(() -> {
            enter();
            try {
                return work.call();
            } finally {
                leave();
            }
        });
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception) {
                throw (Exception) e.getCause();
            }
            throw new InvocationTargetException(e.getCause());
        }
    }

    @Override
    protected String invoke(Method doit) throws Exception {
        if (stopRequested) {
            throw new StoppedException();
        }
        try {
            Object value = call(() -> doit.invoke(null));
            String key = VALUE_KEY + ids.incrementAndGet();
            if (value != null) {
                values.put(key, value);
            }
            return key;
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof ThreadDeath) {
                throw new StoppedException();
            }
            throw e; // the user's exception: DirectExecutionControl turns it into JShell's EvalException
        }
    }

    private void enter() {
        Thread.interrupted(); // an interrupt aimed at an earlier snippet must not hit this one
        synchronized (lock) {
            running = Thread.currentThread();
        }
        if (stopRequested) {
            throw new ThreadDeath();
        }
    }

    private void leave() {
        synchronized (lock) {
            running = null;
        }
    }

    @Override
    @SuppressWarnings({"deprecation", "removal"})
    public void stop() {
        if (!cellActive) {
            return;
        }
        stopRequested = true;
        Thread t = running;
        if (t == null) {
            return; // compiling or between snippets: the next snippet will not start
        }
        t.interrupt();
        if (awaitEnd(t, GRACE_MILLIS)) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(UNWIND_MILLIS);
        while (System.nanoTime() < deadline) {
            synchronized (lock) {
                if (running != t) {
                    return;
                }
                try {
                    t.suspend();
                } catch (UnsupportedOperationException e) {
                    System.err.println("get4j-kernel: this cell ignores interrupts and this Java (" + Runtime.version()
                            + ") cannot stop it; restart the kernel (Java 17 can)");
                    return;
                }
                try {
                    if (safeToStop(t)) {
                        forced = true;
                        t.stop(); // once: a second ThreadDeath could land in the finally blocks the first one runs
                        break;
                    }
                } finally {
                    t.resume();
                }
            }
            pause(20);
        }
        awaitEnd(t, UNWIND_MILLIS);
    }

    /** Whether the suspended thread {@code t} is somewhere a ThreadDeath does no damage beyond the cell. */
    private static boolean safeToStop(Thread t) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        ThreadInfo[] infos = mx.getThreadInfo(new long[] {t.getId()}, true, false);
        if (infos.length == 0 || infos[0] == null) {
            return true;
        }
        StackTraceElement[] stack = infos[0].getStackTrace();
        if (stack.length > 0 && (stack[0].getClassName().startsWith("org.get4j.kernel.")
                || stack[0].getClassName().startsWith("java.util.concurrent."))) {
            return false; // entering or leaving a snippet: the kernel's own bookkeeping
        }
        for (StackTraceElement frame : stack) {
            if (frame.getMethodName().equals("<clinit>") || isKernelMessaging(frame.getClassName())) {
                return false;
            }
        }
        for (MonitorInfo monitor : infos[0].getLockedMonitors()) {
            if (isKernelMessaging(monitor.getClassName())) {
                return false;
            }
        }
        return true;
    }

    private static boolean isKernelMessaging(String className) {
        return className.startsWith("org.dflib.jjava.") || className.startsWith("org.get4j.kernel.shaded.");
    }

    private boolean awaitEnd(Thread t, long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (running == t && System.nanoTime() < deadline) {
            pause(10);
        }
        return running != t;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
