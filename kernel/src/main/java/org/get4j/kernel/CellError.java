package org.get4j.kernel;

import java.util.List;

/**
 * A cell that did not run to its end: Jupyter's error triple. {@code name} is what the notebook shows as the error's
 * kind (the exception's class, "CompilationError" or "Interrupted"), {@code traceback} the lines shown below it.
 */
public final class CellError extends Exception {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final List<String> traceback;

    public CellError(String name, String message, List<String> traceback) {
        super(message, null, false, false);
        this.name = name;
        this.traceback = List.copyOf(traceback);
    }

    public String name() {
        return name;
    }

    public List<String> traceback() {
        return traceback;
    }

    @Override
    public String toString() {
        return name + ": " + getMessage();
    }
}
