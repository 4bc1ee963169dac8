package org.get4j.cli;

import java.io.PrintWriter;
import java.time.Duration;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The commands' progress bars (rate and ETA). On a terminal the bar redraws one line and ends it when closed, so an
 * error never shares its line. Anywhere else (a log file, a notebook calling the CLI, CI) it prints a whole line
 * every ten seconds instead of carriage returns that glue every update and the next message together.
 */
final class Bars {
    private Bars() {}

    /** A bar for {@code max} units of work, {@code done} of them done already (a resumed run). */
    static ProgressBar of(String task, long max, long done, String unit, PrintWriter err) {
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setInitialMax(max)
                .startsFrom(done, Duration.ZERO).setStyle(ProgressBarStyle.ASCII).showSpeed();
        if (!unit.isEmpty()) {
            b.setUnit(" " + unit, 1);
        }
        if (System.console() == null) {
            b.setUpdateIntervalMillis(10_000).setConsumer(new DelegatingProgressBarConsumer(new Lines(err), 100));
        } else { // the library's terminal bar draws on the process's stderr, which err wraps in every command
            b.setUpdateIntervalMillis(1_000);
        }
        return b.build();
    }

    /** Whole lines to the error stream, each once (the library renders the final state twice). */
    private static final class Lines implements java.util.function.Consumer<String> {
        private final PrintWriter err;
        private String last = "";

        Lines(PrintWriter err) {
            this.err = err;
        }

        @Override
        public synchronized void accept(String line) {
            if (!line.equals(last)) {
                err.println(line.stripTrailing());
                err.flush();
                last = line;
            }
        }
    }
}
