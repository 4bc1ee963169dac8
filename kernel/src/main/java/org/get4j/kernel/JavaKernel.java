package org.get4j.kernel;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import org.dflib.jjava.jupyter.channels.ShellReplyEnvironment;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.HelpLink;
import org.dflib.jjava.jupyter.kernel.JupyterIO;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.comm.CommManager;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry;
import org.dflib.jjava.jupyter.kernel.util.StringStyler;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.publish.PublishError;
import org.dflib.jjava.jupyter.messages.publish.PublishExecuteInput;
import org.dflib.jjava.jupyter.messages.publish.PublishExecuteResult;
import org.dflib.jjava.jupyter.messages.reply.ErrorReply;
import org.dflib.jjava.jupyter.messages.reply.ExecuteReply;
import org.dflib.jjava.jupyter.messages.request.ExecuteRequest;

/**
 * The Jupyter side of the kernel: JJava's {@link BaseKernel} (protocol, display, comms) answering with an
 * {@link Evaluator}. Cells run one at a time on the shell channel's thread; an interrupt arrives on the control
 * channel's thread and stops the running cell.
 */
public final class JavaKernel extends BaseKernel {
    public static final String NAME = "get4j-java";

    /** JupyterIO whose attachment to a request this package may set (JupyterIO keeps it protected). */
    static final class KernelIO extends JupyterIO {
        KernelIO() {
            super(StandardCharsets.UTF_8);
        }

        void attach(ShellReplyEnvironment env) {
            setEnv(env);
        }

        void detach(ShellReplyEnvironment env) {
            retractEnv(env);
        }

        void stdinEnabled(boolean enabled) {
            setJupyterInEnabled(enabled);
        }
    }

    private final Evaluator evaluator;
    private final KernelIO kernelIO;

    JavaKernel(Evaluator evaluator, KernelIO io, String version) {
        super(NAME, version,
                new LanguageInfo.Builder("java").version(Runtime.version().toString()).mimetype("text/x-java-source")
                        .fileExtension(".jshell").pygments("java").codemirror("java").build(),
                List.of(new HelpLink("Java API", "https://docs.oracle.com/en/java/javase/17/docs/api/index.html")),
                null, io, new CommManager(), new RichRenderer(), null, new MagicsRegistry(), false,
                new StringStyler.Builder().build());
        this.evaluator = evaluator;
        this.kernelIO = io;
    }

    static JavaKernel create(Evaluator evaluator, String version) {
        return new JavaKernel(evaluator, new KernelIO(), version);
    }

    /**
     * Jupyter's "Run All" sends every cell at once and relies on the kernel to abort the rest after an error or an
     * interrupt (stop_on_error, as ipykernel does). A request is one of those if its client sent it before the
     * failure; a client that sends its next request after reading the error (a console, a test) is served. The
     * window bounds what a skewed client clock can do.
     */
    static final long ABORT_WINDOW_NANOS = 2_000_000_000L;

    private volatile Instant failedAt;
    private volatile long abortWindowEnd;

    /** When the client sent {@code message} (its header's ISO date), or null if it cannot be read. */
    static Instant sentAt(Message<?> message) {
        try {
            String date = message.getHeader().getTimestamp().getDateString();
            try {
                return Instant.parse(date);
            } catch (DateTimeParseException e) {
                return OffsetDateTime.parse(date).toInstant();
            }
        } catch (RuntimeException e) {
            return null;
        }
    }

    private boolean queuedBehindFailure(ExecuteRequest request, Message<?> message) {
        if (!request.shouldStopOnError() || failedAt == null || System.nanoTime() - abortWindowEnd > 0) {
            return false;
        }
        Instant sent = sentAt(message);
        return sent != null && sent.isBefore(failedAt);
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    protected synchronized void handleExecuteRequest(ShellReplyEnvironment env, Message<ExecuteRequest> message) {
        ExecuteRequest request = message.getContent();
        if (queuedBehindFailure(request, message)) {
            env.setBusyDeferIdle();
            env.reply(new Message(env.getContext(), ExecuteReply.MESSAGE_TYPE, Map.of("status", "aborted")));
            abortWindowEnd = System.nanoTime() + ABORT_WINDOW_NANOS;
            return;
        }
        commManager.setMessageContext(message);
        int count = executionCount.getAndIncrement();
        env.setBusyDeferIdle();
        env.publish(new PublishExecuteInput(request.getCode(), count));
        replaceOutputStreams(env);
        kernelIO.attach(env);
        env.defer(() -> kernelIO.detach(env));
        kernelIO.stdinEnabled(request.isStdinEnabled());
        try {
            Evaluator.Outcome outcome = evaluator.eval(request.getCode());
            if (outcome.hasValue()) {
                Object value = outcome.value();
                DisplayData shown = value instanceof DisplayData ? (DisplayData) value
                        : evaluator.onCellThread(() -> renderer.render(value)); // user toString code: interruptible
                System.out.flush();
                System.err.flush();
                env.publish(new PublishExecuteResult(count, shown));
            }
            System.out.flush();
            System.err.flush();
            env.defer().reply(new ExecuteReply(count, Collections.emptyMap()));
        } catch (Throwable e) { // anything escaping here would end JJava's shell thread: every failure is a reply
            CellError error = e instanceof CellError ? (CellError) e
                    : new CellError(e.getClass().getSimpleName(), e.getMessage() == null ? "" : e.getMessage(),
                    List.of("the kernel failed to run the cell: " + e));
            System.out.flush();
            System.err.flush();
            if (request.shouldStopOnError()) {
                failedAt = Instant.now(); // before the reply: a client's next request is sent after it
            }
            env.publish(new PublishError(error.name(), error.getMessage(), error.traceback()));
            ErrorReply reply = new ErrorReply(error.name(), error.getMessage(), error.traceback());
            reply.setExecutionCount(count);
            env.defer().replyError(ExecuteReply.MESSAGE_TYPE.error(), reply);
            if (request.shouldStopOnError()) {
                abortWindowEnd = System.nanoTime() + ABORT_WINDOW_NANOS;
            }
        }
    }

    @Override
    public Object evalRaw(String source) {
        if (Thread.currentThread().getName().equals(CellExecutionControl.THREAD_NAME)) {
            throw new IllegalStateException("eval(...) cannot run inside a cell: write the code in the cell itself");
        }
        try {
            Evaluator.Outcome outcome = evaluator.eval(source);
            return outcome.hasValue() ? outcome.value() : null;
        } catch (CellError e) {
            throw new IllegalStateException(e.toString(), e);
        }
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        String doc = evaluator.inspect(code, at, extraDetail);
        return doc.isEmpty() ? null : new DisplayData(doc);
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        Evaluator.Completion c = evaluator.complete(code, at);
        return new ReplacementOptions(c.options(), c.start(), c.end());
    }

    @Override
    public String isComplete(String code) {
        return evaluator.isComplete(code);
    }

    @Override
    public void interrupt() {
        evaluator.interrupt();
    }

    @Override
    public void onShutdown(boolean isRestarting) {
        evaluator.interrupt();
        super.onShutdown(isRestarting);
    }
}
