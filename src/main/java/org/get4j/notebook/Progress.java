package org.get4j.notebook;

/**
 * Progress for notebooks, where terminal progress bars do not render: one line per update with the rate and the
 * estimated time left.
 */
public final class Progress {
    private final String task;
    private final long total;
    private final long start = System.nanoTime();
    private final long first; // the count this job started from: a resumed job's rate counts only this run's work

    /** Progress of a job that starts from nothing. */
    public Progress(String task, long total) {
        this(task, total, 0);
    }

    /** Progress of a job resumed with {@code startedAt} of {@code total} already done (e.g. a checkpoint's step). */
    public Progress(String task, long total, long startedAt) {
        this.task = task;
        this.total = total;
        this.first = startedAt;
    }

    /** Prints "task: done/total (pct), rate/s, ETA". */
    public void update(long done) {
        System.out.println(line(done, (System.nanoTime() - start) / 1e9));
    }

    /** The line {@link #update} prints after {@code seconds} of this job. */
    String line(long done, double seconds) {
        double rate = (done - first) / Math.max(seconds, 1e-9);
        double eta = rate > 0 ? (total - done) / rate : Double.NaN;
        return String.format("%s: %d/%d (%.0f%%), %.1f/s, %s left", task, done, total, 100.0 * done / total, rate,
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
