package org.get4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.get4j.data.Idx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {
    @TempDir
    Path dir;

    @Test
    void helpListsTheCommands() {
        CliRun r = CliRun.of("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("info") && r.out().contains("data"), r.out());
        assertEquals(0, CliRun.of("data", "fetch", "--help").code());
    }

    /** Issue 17: every command, option and parameter says what it is, in one paragraph. */
    @Test
    void everyOptionHasADescription() {
        List<String> missing = new ArrayList<>();
        describe(Main.commandLine(), missing);
        assertTrue(missing.isEmpty(), "without a one-paragraph description: " + missing);
    }

    /** Every command's help renders as written: a bare "%" in a description made picocli print a warning instead. */
    @Test
    void everyHelpRendersItsFormat() {
        List<String> broken = new ArrayList<>();
        renders(Main.commandLine(), broken);
        assertTrue(broken.isEmpty(), "help with an unescaped % (write %%): " + broken);
    }

    private static void renders(CommandLine cli, List<String> broken) {
        CommandLine.Model.CommandSpec spec = cli.getCommandSpec();
        List<String> texts = new ArrayList<>(List.of(spec.usageMessage().description()));
        spec.options().forEach(o -> texts.addAll(List.of(o.description())));
        spec.positionalParameters().forEach(p -> texts.addAll(List.of(p.description())));
        for (String text : texts) {
            try {
                String.format(text);
            } catch (java.util.IllegalFormatException e) {
                broken.add(spec.qualifiedName(" ") + ": " + text);
            }
        }
        cli.getSubcommands().values().forEach(sub -> renders(sub, broken));
    }

    private static void describe(CommandLine cli, List<String> missing) {
        CommandLine.Model.CommandSpec spec = cli.getCommandSpec();
        String name = spec.qualifiedName(" ");
        if (String.join(" ", spec.usageMessage().description()).isBlank()) {
            missing.add(name);
        }
        List<CommandLine.Model.ArgSpec> args = new ArrayList<>(spec.options());
        args.addAll(spec.positionalParameters());
        for (CommandLine.Model.ArgSpec arg : args) {
            String text = String.join(" ", arg.description());
            if (text.isBlank() || text.contains("\n")) {
                missing.add(name + " " + (arg instanceof CommandLine.Model.OptionSpec o ? o.longestName()
                        : arg.paramLabel()));
            }
        }
        cli.getSubcommands().values().forEach(sub -> describe(sub, missing));
    }

    @Test
    void noCommandPrintsTheUsageAndExitsTwo() {
        CliRun r = CliRun.of();
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Usage: get4j") && r.err().contains("a command is required"), r.err());
        CliRun pairs = CliRun.of("pairs");
        assertEquals(2, pairs.code());
        assertTrue(pairs.err().contains("get4j pairs: a command is required: generate, verify"), pairs.err());
    }

    @Test
    void unknownOptionIsOneLineAndExitTwo() {
        CliRun r = CliRun.of("info", "--bogus");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("--bogus"), r.err());
    }

    @Test
    void sparkWithoutTheSparkModuleSaysHowToGetIt() {
        CliRun r = CliRun.of("pairs", "generate", "--spark", "--teacher", "gmm:mnist", "--seeds", "0-9", "--out",
                "hdfs://cluster/pairs");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--spark needs get4j-spark on the classpath"), r.err());
        CliRun fd = CliRun.of("fd", "samples.npy", "mnist:test", "--spark");
        assertEquals(1, fd.code());
        assertTrue(fd.err().contains("--spark needs get4j-spark"), fd.err());
    }

    /** Issue 18, item 7: a third input was silently taken; it is a usage error that names it. */
    @Test
    void fdWithThreeInputsIsAUsageError() {
        CliRun r = CliRun.of("fd", "a.npy", "b.npy", "c.npy");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("c.npy"), r.err());
    }

    @Test
    void unknownDatasetIsAUsageError() {
        CliRun r = CliRun.of("data", "verify", "cifar100");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown dataset 'cifar100'"), r.err());
    }

    @Test
    void verifyFailsOnCorruptAndMissingFiles() throws Exception {
        Path mnist = Files.createDirectories(dir.resolve("mnist"));
        Files.write(mnist.resolve("train-images-idx3-ubyte"), Idx.encode(new int[] {1, 1, 1}, new byte[] {9}));
        CliRun r = CliRun.of("data", "verify", "mnist", "--data-dir", dir.toString());
        assertEquals(1, r.code());
        assertTrue(r.out().contains("CORRUPT") && r.out().contains("missing"), r.out());
        assertTrue(r.err().contains("4 file(s) not verified"), r.err());
    }

    @Test
    void infoReportsEngineAndData() {
        CliRun r = CliRun.of("info");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("PyTorch") && r.out().contains("offline") && r.out().contains("mnist"), r.out());
    }
}
