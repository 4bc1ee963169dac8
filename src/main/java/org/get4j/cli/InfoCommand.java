package org.get4j.cli;

import org.get4j.data.Datasets;
import org.get4j.runtime.SystemReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code get4j info}: versions, engine, device, threads and the datasets found. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print versions, engine, device, threads and the datasets found.")
final class InfoCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().getOut().print(SystemReport.text(Datasets.report()));
        spec.commandLine().getOut().flush();
    }
}
