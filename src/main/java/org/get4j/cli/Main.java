package org.get4j.cli;

import java.io.PrintWriter;
import org.get4j.Get4jException;
import org.get4j.runtime.TorchRuntime;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code get4j <command> [options]}: the command-line entry point. */
@Command(name = "get4j", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "One-step diffusion distillation with Deep Equilibrium models (GET) in Java.",
        subcommands = {InfoCommand.class, DataCommand.class, TeacherCommand.class, PairsCommand.class, ParamsCommand.class,
                ForwardCommand.class, TrainCommand.class, SampleCommand.class, ClassifierCommand.class, FdCommand.class,
                EvalCommand.class, CurveCommand.class, ExportCommand.class,
                BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit code of a usage error (unknown option, bad value), as picocli and POSIX tools use. */
    public static final int USAGE = 2;
    /** Exit code of a failure while running (bad input file, missing data). */
    public static final int FAILURE = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw missingCommand(spec);
    }

    /** A command group called without a command: its usage on stderr and exit code 2, like any usage error. */
    static CommandLine.ParameterException missingCommand(CommandLine.Model.CommandSpec spec) {
        return new MissingCommand(spec.commandLine(), "a command is required: " + String.join(", ",
                spec.subcommands().keySet().stream().filter(c -> !c.equals("help")).toList()));
    }

    private static final class MissingCommand extends CommandLine.ParameterException {
        MissingCommand(CommandLine cli, String message) {
            super(cli, message);
        }
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (tests call this). */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs a command line with the given output streams and returns its exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        try {
            TorchRuntime.configure(); // a CUDA build without a GPU extracts its libtorch here
        } catch (Get4jException | java.io.UncheckedIOException e) {
            err.println("get4j: error: " + describe(e));
            err.flush();
            return FAILURE;
        }
        CommandLine cli = commandLine();
        cli.setOut(out);
        cli.setErr(err);
        return cli.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler(Main::usageError);
        cli.setExecutionExceptionHandler(Main::executionError);
        return cli;
    }

    /** Usage errors are one line plus a pointer to --help, exit code 2. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        String name = qualifiedName(cmd);
        if (e instanceof MissingCommand) {
            cmd.usage(err);
        }
        err.println(name.equals("get4j") ? "get4j: " + e.getMessage() + " (see 'get4j --help')"
                : "get4j " + name + ": " + e.getMessage() + " (see 'get4j " + name + " --help')");
        err.flush();
        return USAGE;
    }

    private static String qualifiedName(CommandLine cmd) {
        String name = cmd.getCommandSpec().qualifiedName(" ");
        return name.startsWith("get4j ") ? name.substring(6) : name;
    }

    /**
     * The message of a failure, with a file-system error said as its file and reason ("/proc/x: no such file or
     * folder") instead of Java's exception name.
     */
    static String describe(Exception e) {
        Throwable io = e instanceof java.io.UncheckedIOException u ? u.getCause() : e;
        if (io instanceof java.nio.file.FileSystemException f) {
            String reason = f instanceof java.nio.file.NoSuchFileException ? "no such file or folder"
                    : f instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : f instanceof java.nio.file.FileAlreadyExistsException ? "already exists"
                    : f.getReason() != null ? f.getReason() : "cannot access";
            String where = f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "");
            return where + ": " + reason;
        }
        return e.getMessage();
    }

    /** Failures the user can act on are one line, exit code 1; anything else keeps its stack trace. */
    private static int executionError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        if (e instanceof Get4jException || e instanceof java.io.UncheckedIOException
                || e instanceof java.io.IOException || e instanceof IllegalArgumentException) {
            err.println("get4j " + qualifiedName(cmd) + ": error: " + describe(e));
            if (System.getenv("GET4J_DEBUG") != null) {
                e.printStackTrace(err);
            }
        } else {
            err.println("get4j " + qualifiedName(cmd) + ": internal error (please report): " + e);
            e.printStackTrace(err);
        }
        err.flush();
        return FAILURE;
    }
}
