package org.get4j.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;

/**
 * Starts the kernel: {@code java -jar get4j-kernel.jar CONNECTION_FILE}. Settings come from the environment, as IJava
 * reads them: {@code IJAVA_CLASSPATH} (the notebook's jars; {@code dir/*} for every jar in a folder) and
 * {@code IJAVA_COMPILER_OPTS} (extra javac options, space-separated).
 *
 * <p>Start-up order is what makes a start reliable: the evaluator and every message handler exist before a socket is
 * bound, so the first request a client sends always finds its handler.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        // The kernel's own log (channel loops starting) is noise in a notebook: warnings only, unless set otherwise.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        if (args.length != 1) {
            System.err.println("usage: java -jar get4j-kernel.jar CONNECTION_FILE");
            System.exit(2);
        }
        try {
            serve(Path.of(args[0]));
        } catch (Throwable e) {
            // One line in the Jupyter server's log (a bad IJAVA_CLASSPATH, an unreadable connection file, a port
            // taken), and an exit: the channel threads already started must not keep a kernel that never answers.
            System.err.println("get4j-kernel: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            System.exit(1);
        }
        // Cell code may have left non-daemon threads (libtorch's, a pool): the kernel's life ends with the connection.
        System.exit(0);
    }

    private static void serve(Path connectionFile) throws Exception {
        KernelConnectionProperties properties;
        try {
            properties = KernelConnectionProperties.parse(Files.readString(connectionFile));
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot read the connection file " + connectionFile + ": "
                    + e.getMessage(), e);
        }
        String options = System.getenv().getOrDefault("IJAVA_COMPILER_OPTS", "").strip();
        List<String> compilerOptions = options.isEmpty() ? List.of() : Arrays.asList(options.split("\\s+"));
        Evaluator evaluator = new Evaluator(NotebookClasspath.parse(System.getenv("IJAVA_CLASSPATH")),
                compilerOptions, true);
        JavaKernel kernel = JavaKernel.create(evaluator, Main.class.getPackage().getImplementationVersion());

        JupyterConnection connection = new JupyterConnection(properties);
        kernel.onStartup();
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        connection.waitUntilClose();
        evaluator.close();
    }
}
