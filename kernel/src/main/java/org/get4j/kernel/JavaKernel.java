package org.get4j.kernel;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
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

    @Override
    protected synchronized void handleExecuteRequest(ShellReplyEnvironment env, Message<ExecuteRequest> message) {
        commManager.setMessageContext(message);
        ExecuteRequest request = message.getContent();
        int count = executionCount.getAndIncrement();
        env.setBusyDeferIdle();
        env.publish(new PublishExecuteInput(request.getCode(), count));
        replaceOutputStreams(env);
        kernelIO.attach(env);
        env.defer(() -> kernelIO.detach(env));
        kernelIO.stdinEnabled(request.isStdinEnabled());
        try {
            Evaluator.Outcome outcome = evaluator.eval(request.getCode());
            System.out.flush();
            System.err.flush();
            if (outcome.hasValue()) {
                env.publish(new PublishExecuteResult(count, renderer.render(outcome.value())));
            }
            env.defer().reply(new ExecuteReply(count, Collections.emptyMap()));
        } catch (CellError | RuntimeException | LinkageError e) {
            CellError error = e instanceof CellError ? (CellError) e
                    : new CellError(e.getClass().getSimpleName(), String.valueOf(e.getMessage()),
                    List.of("KernelError: " + e));
            System.out.flush();
            System.err.flush();
            env.publish(new PublishError(error.name(), error.getMessage(), error.traceback()));
            ErrorReply reply = new ErrorReply(error.name(), error.getMessage(), error.traceback());
            reply.setExecutionCount(count);
            env.defer().replyError(ExecuteReply.MESSAGE_TYPE.error(), reply);
        }
    }

    @Override
    public Object evalRaw(String source) {
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
