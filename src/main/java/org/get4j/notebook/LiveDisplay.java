package org.get4j.notebook;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;

/**
 * One output of a notebook cell that is replaced, not appended to: Jupyter's {@code display_data} followed by
 * {@code update_display_data} with the same display id. Kernels offer it to cell code as static
 * {@code display(Object)} (returning the id) and {@code updateDisplay(String, Object)}: the project's kernel and JJava
 * through JJava's notebook statics, IJava through its runtime class. The library must not depend on any kernel, so
 * the methods are found by name; under a kernel without them {@link #find} is empty and callers print instead.
 */
final class LiveDisplay {
    /** The classes that hold the display statics, in the order they are tried. */
    static final List<String> STATICS = List.of("org.dflib.jjava.jupyter.kernel.BaseNotebookStatics",
            "io.github.spencerpark.ijava.runtime.Display");

    private final Method display;
    private final Method update;
    private String id;

    private LiveDisplay(Method display, Method update) {
        this.display = display;
        this.update = update;
    }

    /** The running kernel's display updates, if it has them. */
    static Optional<LiveDisplay> find() {
        ClassLoader loader = LiveDisplay.class.getClassLoader();
        for (String name : STATICS) {
            try {
                Class<?> statics = Class.forName(name, true, loader);
                return Optional.of(new LiveDisplay(statics.getMethod("display", Object.class),
                        statics.getMethod("updateDisplay", String.class, Object.class)));
            } catch (ReflectiveOperationException | LinkageError e) {
                // not this kernel
            }
        }
        return Optional.empty();
    }

    /**
     * Shows {@code text}: the first call adds an output, later calls replace it. False when the kernel refused
     * (outside a running notebook, say), and the caller should print instead.
     */
    boolean show(String text) {
        try {
            if (id == null) {
                id = (String) display.invoke(null, text);
            } else {
                update.invoke(null, id, text);
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
