package org.get4j.kernel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;

/**
 * Evaluates notebook cells with the JDK's JShell, in this JVM: a cell is cut into snippets, each compiled and run in
 * order; the first that does not compile or throws ends the cell with a {@link CellError} whose traceback names the
 * cell line. The value of a final expression is returned as the object itself, for rich display.
 *
 * <p>Not thread-safe except {@link #interrupt}, which the kernel calls from its control thread while a cell runs.
 */
public final class Evaluator implements AutoCloseable {

    /** What a cell produced: a value to show, or nothing (a statement, a declaration, or a final "expr;"). */
    public record Outcome(boolean hasValue, Object value) {
        static final Outcome NOTHING = new Outcome(false, null);
    }

    /** Completion options replacing the cell text {@code [start, end)}. */
    public record Completion(List<String> options, int start, int end) {
    }

    /** The imports of JShell's default start-up, which Java notebook kernels also give every notebook. */
    static final List<String> DEFAULT_IMPORTS = List.of("java.io.*", "java.math.*", "java.net.*", "java.nio.file.*",
            "java.util.*", "java.util.concurrent.*", "java.util.function.*", "java.util.prefs.*", "java.util.regex.*",
            "java.util.stream.*");

    /** The notebook statics every IJava-style kernel offers: display, updateDisplay, render (JJava's class). */
    static final String STATICS = "org.dflib.jjava.jupyter.kernel.BaseNotebookStatics";
    static final List<String> STATIC_NAMES = List.of("display", "updateDisplay", "render");

    private static final int MAX_FRAMES = 12;

    private final CellExecutionControl control;
    private final JShell shell;
    /** Where a snippet came from, for tracebacks. */
    private record Place(int cell, int line) {
    }

    private final Map<String, Place> snippetPlaces = new ConcurrentHashMap<>(); // by JShell's snippet id
    private int cells;

    /**
     * A JShell over {@code classpath} (the notebook's jars), with {@code compilerOptions} (IJava's
     * IJAVA_COMPILER_OPTS) and the default imports; with {@code statics}, also {@code display} and friends.
     */
    public Evaluator(List<Path> classpath, List<String> compilerOptions, boolean statics) throws CellError {
        SnippetLoader loader = new SnippetLoader(Evaluator.class.getClassLoader());
        this.control = new CellExecutionControl(loader);
        this.shell = JShell.builder()
                .executionEngine(CellExecutionControl.provider(control), Map.of())
                .compilerOptions(compilerOptions.toArray(String[]::new))
                .build();
        for (Path entry : classpath) {
            shell.addToClasspath(entry.toAbsolutePath().toString());
        }
        StringBuilder startup = new StringBuilder();
        DEFAULT_IMPORTS.forEach(i -> startup.append("import ").append(i).append(";\n"));
        if (statics) {
            shell.addToClasspath(codeSource(STATICS));
            STATIC_NAMES.forEach(n -> startup.append("import static ").append(STATICS).append('.').append(n)
                    .append(";\n"));
        }
        eval(startup.toString());
        cells = 0;
    }

    /** Runs one cell. */
    public Outcome eval(String cell) throws CellError {
        int number = ++cells;
        control.beginCell();
        try {
            return run(cell, number);
        } finally {
            control.endCell();
        }
    }

    /**
     * Runs {@code work} (rendering a value, which runs user code) on the cell thread, interruptible like a cell;
     * its failure is reported like a cell's.
     */
    public <T> T onCellThread(java.util.concurrent.Callable<T> work) throws CellError {
        control.beginCell();
        try {
            return control.call(work);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause() instanceof ThreadDeath ? interrupted() : failure(e.getCause());
        } catch (Exception e) {
            throw control.stopRequested() ? interrupted() : failure(e);
        } finally {
            control.endCell();
        }
    }

    private Outcome run(String cell, int number) throws CellError {
        List<CellSource.Piece> pieces = CellSource.split(shell.sourceCodeAnalysis(), cell);
        Outcome outcome = Outcome.NOTHING;
        for (CellSource.Piece piece : pieces) {
            if (control.stopRequested()) {
                throw interrupted();
            }
            int sourceStart = CellSource.sourceStart(cell, piece);
            int firstLine = CellSource.lineOf(cell, sourceStart);
            List<SnippetEvent> events = shell.eval(piece.source());
            outcome = Outcome.NOTHING;
            for (SnippetEvent event : events) {
                if (event.causeSnippet() != null) {
                    continue; // a dependent snippet updated because of this one
                }
                Snippet snippet = event.snippet();
                snippetPlaces.put(snippet.id(), new Place(number, firstLine));
                if (control.stopRequested()) {
                    throw interrupted();
                }
                if (event.status() == Snippet.Status.REJECTED) {
                    throw compilationError(cell, piece, snippet);
                }
                if (event.exception() != null) {
                    throw runtimeError(event.exception());
                }
                if (shows(snippet) && !piece.endsWithSemicolon(cell)) {
                    outcome = new Outcome(true, control.value(event.value()));
                }
            }
        }
        if (control.stopRequested()) {
            throw interrupted();
        }
        return outcome;
    }

    /** Stops the running cell, if any (from another thread); the cell then fails with "Interrupted". */
    public void interrupt() {
        shell.stop();
    }

    /** Completion at {@code cursor}, for the snippet of the cell the cursor is in. */
    public Completion complete(String cell, int cursor) {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        int start = CellSource.pieceStart(analysis, cell, cursor);
        int[] anchor = new int[1];
        List<SourceCodeAnalysis.Suggestion> suggestions =
                analysis.completionSuggestions(cell.substring(start, cursor), cursor - start, anchor);
        LinkedHashSet<String> options = new LinkedHashSet<>();
        suggestions.stream().filter(SourceCodeAnalysis.Suggestion::matchesType)
                .forEach(s -> options.add(s.continuation()));
        suggestions.forEach(s -> options.add(s.continuation()));
        return new Completion(new ArrayList<>(options), start + anchor[0], cursor);
    }

    /**
     * Jupyter's is_complete for a console: "complete", "invalid", "unknown", or the indent of the next line when the
     * code needs more lines.
     */
    public String isComplete(String code) {
        String rest = code;
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        while (true) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
            switch (info.completeness()) {
                case COMPLETE:
                case COMPLETE_WITH_SEMI:
                    if (info.remaining().isBlank()) {
                        return "complete";
                    }
                    if (info.remaining().length() >= rest.length()) {
                        return "unknown"; // nothing consumed: never loop on it
                    }
                    rest = info.remaining();
                    break;
                case EMPTY:
                    return "complete";
                case DEFINITELY_INCOMPLETE:
                    return "    ";
                case CONSIDERED_INCOMPLETE:
                    return "unknown";
                default:
                    return "invalid";
            }
        }
    }

    /** Signatures and Javadoc of what is at {@code cursor}; empty when nothing is known there. */
    public String inspect(String cell, int cursor, boolean detail) {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        int start = CellSource.pieceStart(analysis, cell, cursor);
        String code = cell.substring(start);
        int at = cursor - start;
        // JShell documents what ends at the cursor: move over the rest of the word under it.
        while (at < code.length() && Character.isJavaIdentifierPart(code.charAt(at))) {
            at++;
        }
        if (at < code.length() && code.charAt(at) == '(') {
            at++; // JShell documents a method from inside its argument list
        }
        return analysis.documentation(code, at, detail).stream()
                .map(d -> d.javadoc() == null || d.javadoc().isBlank() ? d.signature()
                        : d.signature() + "\n\n" + d.javadoc())
                .collect(Collectors.joining("\n\n"));
    }

    @Override
    public void close() {
        shell.close();
        control.close();
    }

    private static boolean shows(Snippet snippet) {
        Snippet.SubKind sub = snippet.subKind();
        return sub == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND || sub == Snippet.SubKind.VAR_VALUE_SUBKIND
                || sub == Snippet.SubKind.OTHER_EXPRESSION_SUBKIND;
    }

    private CellError interrupted() {
        String message = control.forced()
                ? "the cell ignored its interrupt and was stopped; what it was doing is cut short, the rest of the "
                + "kernel is intact"
                : "the cell was interrupted; the kernel is ready for the next one";
        return new CellError("Interrupted", message, List.of("Interrupted: " + message));
    }

    private static CellError failure(Throwable t) {
        String message = t.getMessage() == null ? "" : t.getMessage();
        return new CellError(t.getClass().getSimpleName(), message, List.of(t.toString()));
    }

    private CellError compilationError(String cell, CellSource.Piece piece, Snippet snippet) {
        int base = CellSource.sourceStart(cell, piece);
        int lead = piece.source().length() - piece.source().stripLeading().length();
        String[] lines = cell.split("\n", -1);
        List<String> traceback = new ArrayList<>();
        String first = null;
        for (Diag diag : (Iterable<Diag>) shell.diagnostics(snippet)::iterator) {
            if (!diag.isError()) {
                continue;
            }
            List<String> message = diag.getMessage(Locale.ROOT).lines()
                    .filter(l -> !l.strip().startsWith("location:")) // JShell's wrapper class, not the user's
                    .collect(Collectors.toList());
            if (first == null) {
                first = message.isEmpty() ? "does not compile" : message.get(0);
            }
            long position = diag.getStartPosition() >= 0 ? diag.getStartPosition() : diag.getPosition();
            int at = base + (int) Math.max(0, position - lead);
            int line = CellSource.lineOf(cell, at);
            traceback.add("CompilationError at cell line " + line + ": " + String.join("\n  ", message));
            if (line - 1 < lines.length) {
                String text = lines[line - 1];
                int lineStart = at - (cell.lastIndexOf('\n', Math.max(0, at - 1)) + 1);
                if (at > 0 && cell.charAt(at - 1) == '\n') {
                    lineStart = 0;
                }
                long length = Math.max(1, diag.getEndPosition() - position);
                int column = Math.max(0, Math.min(lineStart, text.length()));
                traceback.add(String.format("%4d | %s", line, text));
                traceback.add("     | " + " ".repeat(column)
                        + "^".repeat((int) Math.max(1, Math.min(length, text.length() - column))));
            }
        }
        if (first == null) {
            first = "the snippet was rejected: " + piece.source().strip();
            traceback.add("CompilationError: " + first);
        }
        return new CellError("CompilationError", first, traceback);
    }

    private CellError runtimeError(JShellException exception) {
        if (exception instanceof UnresolvedReferenceException) {
            UnresolvedReferenceException u = (UnresolvedReferenceException) exception;
            String missing = shell.unresolvedDependencies(u.getSnippet()).collect(Collectors.joining(", "));
            String message = u.getSnippet().subKind().toString().toLowerCase(Locale.ROOT).replace("_subkind", "")
                    + " uses what is not defined yet: " + missing;
            return new CellError("UnresolvedReference", message, List.of("UnresolvedReference: " + message));
        }
        EvalException e = (EvalException) exception;
        String name = e.getExceptionClassName();
        String simple = name.substring(name.lastIndexOf('.') + 1);
        String message = e.getMessage() == null ? "" : e.getMessage();
        List<String> traceback = new ArrayList<>();
        traceback.add(message.isEmpty() ? name : name + ": " + message);
        frames(e, traceback);
        Throwable cause = e.getCause();
        for (int depth = 0; cause != null && depth < 4; depth++, cause = cause.getCause()) {
            String causeName = cause instanceof EvalException ? ((EvalException) cause).getExceptionClassName()
                    : cause.getClass().getName();
            traceback.add("Caused by: " + causeName + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
            frames(cause, traceback);
        }
        return new CellError(simple, message, traceback);
    }

    /** The frames of {@code t} down to the cell that called them; cell frames name the cell and its line. */
    private void frames(Throwable t, List<String> out) {
        int shown = 0;
        StackTraceElement[] stack = t.getStackTrace();
        for (int i = 0; i < stack.length; i++) {
            StackTraceElement frame = stack[i];
            String cls = frame.getClassName();
            if (cls.startsWith("org.get4j.kernel.")) {
                break; // the kernel's own machinery (JShell cuts the stack below the cell already)
            }
            if (shown == MAX_FRAMES) {
                out.add("    ... " + (stack.length - i) + " more");
                break;
            }
            out.add("    at " + describe(frame));
            shown++;
        }
    }

    private String describe(StackTraceElement frame) {
        String file = frame.getFileName();
        if (file != null && file.startsWith("#")) { // a cell's snippet: JShell names its file "#<snippet id>"
            Place place = snippetPlaces.get(file.substring(1));
            String where = place == null ? "snippet " + file + " line " + frame.getLineNumber()
                    : "cell [" + place.cell() + "] line " + (place.line() + Math.max(0, frame.getLineNumber() - 1));
            String method = frame.getMethodName();
            return method.isEmpty() || method.equals("do_it$") ? where : method + "(" + where + ")";
        }
        return frame.toString();
    }

    /** The jar or folder a class of the kernel comes from, for JShell's compile-time classpath. */
    private static String codeSource(String className) throws CellError {
        try {
            return Path.of(Class.forName(className).getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        } catch (ReflectiveOperationException | java.net.URISyntaxException | NullPointerException e) {
            throw new CellError("KernelError", "cannot find " + className + ": " + e, List.of(e.toString()));
        }
    }
}
