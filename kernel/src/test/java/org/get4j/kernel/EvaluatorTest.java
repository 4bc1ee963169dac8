package org.get4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EvaluatorTest {
    private static Evaluator evaluator;

    @BeforeAll
    static void start() throws CellError {
        evaluator = new Evaluator(List.of(), List.of(), true);
    }

    @AfterAll
    static void stop() {
        evaluator.close();
    }

    private static Evaluator.Outcome eval(String cell) throws CellError {
        return evaluator.eval(cell);
    }

    @Test
    void aFinalExpressionIsReturnedAsTheObjectItself() throws CellError {
        Evaluator.Outcome sum = eval("1 + 1");
        assertTrue(sum.hasValue());
        assertEquals(2, sum.value());
        Object image = eval("new java.awt.image.BufferedImage(5, 3, java.awt.image.BufferedImage.TYPE_INT_RGB)").value();
        BufferedImage b = assertInstanceOf(BufferedImage.class, image);
        assertEquals(5, b.getWidth());
        Evaluator.Outcome nothing = eval("Object o = null;\no");
        assertTrue(nothing.hasValue());
        assertEquals(null, nothing.value());
    }

    @Test
    void statementsDeclarationsAndAFinalSemicolonShowNothing() throws CellError {
        assertFalse(eval("int x = 4;").hasValue());
        assertEquals(8, eval("x * 2").value());
        assertFalse(eval("x * 2;").hasValue(), "IPython's rule: a trailing semicolon hides the value");
        assertFalse(eval("System.out.print(\"\")").hasValue(), "a void call has no value");
        assertFalse(eval("for (int i = 0; i < 2; i++) { x++; }").hasValue());
        assertEquals(6, eval("x").value());
    }

    @Test
    void aCellOfManySnippetsRunsInOrderAndItsDeclarationsLast() throws CellError {
        Evaluator.Outcome out = eval(String.join("\n",
                "import java.util.stream.*;",
                "record Point(int x, int y) {",
                "    int norm1() { return Math.abs(x) + Math.abs(y); }",
                "}",
                "",
                "// a comment between snippets",
                "int total(List<Point> points) {",
                "    return points.stream().mapToInt(Point::norm1).sum();",
                "}",
                "var pts = List.of(new Point(1, -2), new Point(3, 4));",
                "total(pts)"));
        assertEquals(10, out.value());
        assertEquals(3, eval("total(List.of(new Point(0, 3)))").value(), "declarations persist across cells");
        assertEquals(List.of(0, 1, 4), eval("IntStream.range(0, 3).map(i -> i * i).boxed().collect(Collectors.toList())").value());
    }

    @Test
    void aCompilationErrorNamesTheCellLineAndMarksTheSymbol() {
        CellError e = assertThrows(CellError.class, () -> eval("int a = 1;\nint b = 2;\nint c = nope + b;"));
        assertEquals("CompilationError", e.name());
        assertTrue(e.getMessage().contains("cannot find symbol"), e.getMessage());
        String trace = String.join("\n", e.traceback());
        assertTrue(trace.contains("cell line 3"), trace);
        assertTrue(trace.contains("   3 | int c = nope + b;"), trace);
        assertTrue(trace.contains("     |         ^^^^\n") || trace.endsWith("     |         ^^^^"), trace);
        assertFalse(trace.contains("location:"), "JShell's wrapper class is not the user's business: " + trace);
    }

    @Test
    void aRuntimeExceptionGivesAShortTracebackThroughTheCells() throws CellError {
        eval("void check(int n) {\n    if (n > 2) {\n        throw new IllegalStateException(\"n is \" + n);\n    }\n}");
        CellError e = assertThrows(CellError.class, () -> eval("check(1);\ncheck(3);"));
        assertEquals("IllegalStateException", e.name());
        assertEquals("n is 3", e.getMessage());
        List<String> trace = e.traceback();
        assertEquals("java.lang.IllegalStateException: n is 3", trace.get(0));
        assertTrue(trace.get(1).matches("    at check\\(cell \\[\\d+] line 3\\)"), trace.toString());
        assertTrue(trace.get(2).matches("    at cell \\[\\d+] line 2"), trace.toString());
        assertEquals(3, trace.size(), "no kernel or reflection frames: " + trace);
    }

    @Test
    void causesAreListedAndLibraryFramesKept() {
        CellError e = assertThrows(CellError.class, () -> eval(
                "try { Integer.parseInt(\"x1\"); } catch (NumberFormatException n) {\n"
                        + "    throw new RuntimeException(\"bad config\", n);\n}"));
        assertEquals("RuntimeException", e.name());
        String trace = String.join("\n", e.traceback());
        assertTrue(trace.contains("Caused by: java.lang.NumberFormatException: For input string: \"x1\""), trace);
        assertTrue(trace.contains("at java.base/java.lang.Integer.parseInt"), trace);
    }

    @Test
    void anInfiniteLoopIsInterruptedAndTheKernelStaysUsable() throws Exception {
        eval("var closed = new java.util.concurrent.atomic.AtomicBoolean(false);");
        // Ignores interrupts: only the forced stop ends it, and it must unwind through the try-with-resources.
        CellError e = interruptAfter(300, "try (AutoCloseable r = () -> closed.set(true)) {\n"
                + "    long n = 0;\n    while (true) { n++; }\n}");
        assertEquals("Interrupted", e.name());
        assertEquals(true, eval("closed.get()").value(), "the stopped cell closed its resources");
        assertEquals(3, eval("1 + 2").value());
    }

    @Test
    void aBlockingCellIsInterruptedAtOnce() throws Exception {
        long start = System.nanoTime();
        CellError e = interruptAfter(200, "Thread.sleep(60_000);");
        assertEquals("Interrupted", e.name());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 200 + CellExecutionControl.GRACE_MILLIS, "interrupt took " + millis + " ms");
        assertEquals("ok", eval("\"ok\"").value());
    }

    private static CellError interruptAfter(long millis, String cell) throws Exception {
        CompletableFuture<Evaluator.Outcome> running = CompletableFuture.supplyAsync(() -> {
            try {
                return evaluator.eval(cell);
            } catch (CellError err) {
                throw new RuntimeException(err);
            }
        });
        Thread.sleep(millis);
        evaluator.interrupt();
        ExecutionException failed = assertThrows(ExecutionException.class, () -> running.get(20, TimeUnit.SECONDS));
        return assertInstanceOf(CellError.class, failed.getCause().getCause());
    }

    @Test
    void outputStreamsWhileTheCellRunsInTheOrderWritten() throws CellError {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        PrintStream out = System.out;
        PrintStream err = System.err;
        System.setOut(recorder("out", events, start));
        System.setErr(recorder("err", events, start));
        try {
            eval("System.out.println(\"a\");\nSystem.err.println(\"b\");\nSystem.out.println(\"c\");\n"
                    + "Thread.sleep(400);\nSystem.out.println(\"d\");");
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        List<String> order = new ArrayList<>();
        long firstAt = -1;
        long lastAt = -1;
        for (String e : events) {
            String[] parts = e.split(" ", 3);
            order.add(parts[0] + ":" + parts[2].strip());
            lastAt = Long.parseLong(parts[1]);
            if (firstAt < 0) {
                firstAt = lastAt;
            }
        }
        assertEquals(List.of("out:a", "err:b", "out:c", "out:d"), order);
        assertTrue(lastAt - firstAt >= 350, "'a' arrived while the cell ran, before the sleep: " + events);
    }

    private static PrintStream recorder(String name, List<String> events, long start) {
        return new PrintStream(new OutputStream() {
            private final StringBuilder line = new StringBuilder();

            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                line.append(new String(b, off, len, StandardCharsets.UTF_8));
                if (line.indexOf("\n") >= 0) {
                    events.add(name + " " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " " + line);
                    line.setLength(0);
                }
            }
        }, true, StandardCharsets.UTF_8);
    }

    @Test
    void completionWorksInsideTheSnippetUnderTheCursor() throws CellError {
        Evaluator.Completion strings = evaluator.complete("Strin", 5);
        assertTrue(strings.options().contains("String"), strings.options().toString());
        assertEquals(0, strings.start());
        assertFalse(eval("int abcdefg = 1;").hasValue());
        String cell = "int y = 2;\nint q = abcd";
        Evaluator.Completion local = evaluator.complete(cell, cell.length());
        assertTrue(local.options().contains("abcdefg"), local.options().toString());
        assertEquals(cell.lastIndexOf("abcd"), local.start());
        assertEquals(cell.length(), local.end());
    }

    @Test
    void isCompleteTellsAConsoleWhetherToWaitForMoreLines() {
        assertEquals("complete", evaluator.isComplete("1 + 1"));
        assertEquals("complete", evaluator.isComplete("int x = 1; x++;"));
        assertEquals("    ", evaluator.isComplete("for (int i = 0; i < 3; i++) {"));
        assertEquals("invalid", evaluator.isComplete("int x = 1; }"));
    }

    @Test
    void inspectShowsTheSignature() {
        String doc = evaluator.inspect("int m = Math.max(1, 2);", 14, false);
        assertTrue(doc.contains("max(int a, int b)"), doc);
        assertEquals("", evaluator.inspect("noSuchThing", 3, false), "nothing known, nothing shown");
    }

    @Test
    void notebookStaticsAreImported() throws CellError {
        // display() needs a running kernel; its presence is what IJava-style notebooks rely on.
        CellError e = assertThrows(CellError.class, () -> eval("display(\"x\")"));
        assertEquals("NullPointerException", e.name());
        assertTrue(e.getMessage().contains("No kernel running"), e.getMessage());
    }
}
