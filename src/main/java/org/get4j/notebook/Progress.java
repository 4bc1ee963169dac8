package org.get4j.notebook;

import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.get4j.optim.TrainingRun;
import org.get4j.train.Distillation;

/**
 * Progress for notebooks, where terminal progress bars do not render: a line with the rate and the estimated time
 * left. Under a kernel with display updates (the project's kernel, JJava, IJava) the line is updated in place, at
 * most every {@link #MIN_UPDATE_SECONDS} and always at the end; elsewhere each update prints a line.
 */
public final class Progress {
    /** The shortest time between two in-place updates: a frontend need not redraw faster than this. */
    static final double MIN_UPDATE_SECONDS = 0.5;

    private final String task;
    private final long total;
    private final long start = System.nanoTime();
    private final long first; // the count this job started from: a resumed job's rate counts only this run's work
    private final Predicate<String> live; // shows a line in place; false when it cannot
    private double shownAt = Double.NEGATIVE_INFINITY;

    /** Progress of a job that starts from nothing. */
    public Progress(String task, long total) {
        this(task, total, 0);
    }

    /** Progress of a job resumed with {@code startedAt} of {@code total} already done (e.g. a checkpoint's step). */
    public Progress(String task, long total, long startedAt) {
        this(task, total, startedAt, LiveDisplay.find().<Predicate<String>>map(d -> d::show).orElse(null));
    }

    Progress(String task, long total, long startedAt, Predicate<String> live) {
        this.task = task;
        this.total = total;
        this.first = startedAt;
        this.live = live;
    }

    /** Shows "task: done/total (pct), rate/s, ETA". */
    public void update(long done) {
        update(done, (System.nanoTime() - start) / 1e9);
    }

    void update(long done, double seconds) {
        show(line(done, seconds), done >= total, seconds);
    }

    /**
     * Progress of a run trained for a time budget ({@code TrainingCost.run}, notebook 05): the line counts seconds of
     * training against the budget and names the step and the steps per second, e.g. "GET 2+3: 120/360 s of training
     * (33%), step 1380, 11.5 steps/s, 4m00s left". A resumed run counts from the seconds and steps its folder records.
     */
    public static Consumer<Distillation.Log> ofTrainingTime(String task, int budgetSeconds, Path runDir) {
        return ofTrainingTime(task, budgetSeconds, TrainingRun.Cost.read(runDir),
                LiveDisplay.find().<Predicate<String>>map(d -> d::show).orElse(null));
    }

    /** As above, resuming from {@code before} (null for a new run), showing lines with {@code live}. */
    static Consumer<Distillation.Log> ofTrainingTime(String task, int budgetSeconds, TrainingRun.Cost before,
            Predicate<String> live) {
        double priorSeconds = before == null ? 0 : before.trainSeconds();
        long priorSteps = before == null ? 0 : before.steps();
        Progress p = new Progress(task, budgetSeconds, Math.round(priorSeconds), live);
        return log -> {
            double session = log.elapsedMillis() / 1000.0;
            double trained = Math.min(budgetSeconds, priorSeconds + session);
            double rate = session > 0 ? (log.step() - priorSteps) / session : 0;
            p.show(p.trainingLine(log.step(), trained, rate), trained >= budgetSeconds, session);
        };
    }

    /** The line of a time-budgeted run after {@code trained} seconds of training, at {@code step}. */
    String trainingLine(long step, double trained, double stepsPerSecond) {
        return String.format("%s: %.0f/%d s of training (%.0f%%), step %d, %.1f steps/s, %s left", task, trained, total,
                100.0 * trained / total, step, stepsPerSecond, format(Math.max(0, total - trained)));
    }

    private void show(String line, boolean last, double seconds) {
        if (live != null) {
            if (!last && seconds - shownAt < MIN_UPDATE_SECONDS) {
                return;
            }
            if (live.test(line)) {
                shownAt = seconds;
                return;
            }
        }
        System.out.println(line);
    }

    /** The line {@link #update} shows after {@code seconds} of this job. */
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
