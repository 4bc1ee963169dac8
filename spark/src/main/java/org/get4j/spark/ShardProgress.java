package org.get4j.spark;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Progress of a Spark job on the driver: a line per finished task with the count, the rate and the ETA, and a
 * line per failed attempt (it will be retried) so faults are visible rather than silent.
 */
final class ShardProgress extends SparkListener implements AutoCloseable {
    private final JavaSparkContext sc;
    private final int total;
    private final String unit;
    private final Consumer<String> log;
    private final AtomicInteger done = new AtomicInteger();
    private final long start = System.nanoTime();

    private ShardProgress(JavaSparkContext sc, int total, String unit, Consumer<String> log) {
        this.sc = sc;
        this.total = total;
        this.unit = unit;
        this.log = log;
    }

    /** Reports on the tasks of the jobs run until close; {@code unit} names what a task makes ("shards"). */
    static ShardProgress attach(JavaSparkContext sc, int total, String unit, Consumer<String> log) {
        ShardProgress p = new ShardProgress(sc, total, unit, log);
        sc.sc().addSparkListener(p);
        return p;
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (!end.taskInfo().successful()) {
            log.accept(String.format("task %d (attempt %d) failed: %s; Spark retries it", end.taskInfo().index(),
                    end.taskInfo().attemptNumber(), end.reason()));
            return;
        }
        int n = done.incrementAndGet();
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = n / seconds;
        log.accept(String.format("%d/%d %s done, %.2f %s/min, ETA %.0f s", n, total, unit, rate * 60, unit,
                (total - n) / rate));
    }

    @Override
    public void close() {
        sc.sc().removeSparkListener(this);
    }
}
