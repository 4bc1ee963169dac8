package org.get4j.notebook;

/**
 * Progress for notebooks, where terminal progress bars do not render: one line per update with the rate and the
 * estimated time left.
 */
public final class Progress {
    private final String task;
    private final long total;
    private final long start = System.nanoTime();
    private long first = -1; // the count at the first update: a resumed job's rate counts only this run's work

    public Progress(String task, long total) {
        this.task = task;
        this.total = total;
    }

    /** Prints "task: done/total (pct), rate/s, ETA". */
    public void update(long done) {
        if (first < 0) {
            first = done;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = (done - first) / Math.max(seconds, 1e-9);
        double eta = rate > 0 ? (total - done) / rate : Double.NaN;
        System.out.printf("%s: %d/%d (%.0f%%), %.1f/s, %s left%n", task, done, total, 100.0 * done / total, rate,
                format(eta));
    }

    static String format(double seconds) {
        if (Double.isNaN(seconds)) {
            return "?";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
