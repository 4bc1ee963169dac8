package org.get4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.get4j.io.HostTensor;
import org.get4j.io.SafeTensors;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Time-mark snapshots against a fake clock: each update takes exactly 7 seconds of it. */
class TrainingRunSnapshotsTest {
    @TempDir
    Path dir;

    /** A run whose only state is its step counter, written into each checkpoint as a tensor. */
    static final class CountingRun extends TrainingRun<Double, CountingRun.Log> {
        record Log(long step) implements TrainingRun.Row {
            @Override
            public String csv() {
                return "0";
            }
        }

        long nanos;
        long updates;

        CountingRun(Path dir, long steps) {
            super(dir, steps, 0, 1, 5);
            useClock(() -> nanos);
        }

        @Override
        protected Map<String, Object> runRecord() {
            return Map.of("kind", "counting");
        }

        @Override
        protected Map<String, Object> settings() {
            return Map.of();
        }

        @Override
        protected void initialise(NDManager manager) {
            updates = 0;
        }

        @Override
        protected Double update(NDManager batchManager, long k) {
            nanos += 7_000_000_000L;
            updates = k + 1;
            return 0.0;
        }

        @Override
        protected String header() {
            return "x";
        }

        @Override
        protected Log summarise(long step, List<Double> window, double imagesPerSecond, long elapsedMillis) {
            return new Log(step);
        }

        @Override
        protected void writeCheckpoint(Path file, Map<String, String> metadata) {
            SafeTensors.write(file, Map.of("updates", HostTensor.ofFloats(new float[] {updates}, 1)), metadata);
        }

        @Override
        protected void restore(SafeTensors.Contents checkpoint, Path file) {
            updates = (long) checkpoint.tensors().get("updates").toFloatArray()[0];
        }

        @Override
        protected int batch() {
            return 1;
        }
    }

    @Test
    void aSnapshotAtEveryMarkOfTrainingTimeAcrossSessions() {
        try (NDManager m = TorchRuntime.newManager()) {
            // Marks every 20 s, steps of 7 s: marks 20, 40, 60 are passed after steps 3 (21 s), 6 (42 s), 9 (63 s).
            new CountingRun(dir, 5).snapshotEvery(20).train(m, false, row -> {});
            // A second session resumes at step 5 (35 s recorded) and goes on to step 12 (84 s).
            new CountingRun(dir, 12).snapshotEvery(20).train(m, true, row -> {});
        }
        List<TrainingRun.Snapshot> snaps = TrainingRun.snapshots(dir);
        assertEquals(List.of(20.0, 40.0, 60.0, 80.0), snaps.stream().map(TrainingRun.Snapshot::markSeconds).toList());
        assertEquals(List.of(3L, 6L, 9L, 12L), snaps.stream().map(TrainingRun.Snapshot::step).toList());
        assertEquals(42.0, snaps.get(1).trainSeconds(), 1e-9);
        assertEquals("t-000040s.safetensors", snaps.get(1).file().getFileName().toString());
        assertEquals(6f, SafeTensors.read(snaps.get(1).file()).tensors().get("updates").toFloatArray()[0]);
    }

    @Test
    void aStepLongerThanTheIntervalLeavesOneSnapshotAtTheLatestMark() {
        try (NDManager m = TorchRuntime.newManager()) {
            new CountingRun(dir, 2).snapshotEvery(3).train(m, false, row -> {});
        }
        // 7 s passes marks 3 and 6: one snapshot, at 6; 14 s passes 9 and 12: one, at 12
        assertEquals(List.of(6.0, 12.0), TrainingRun.snapshots(dir).stream().map(TrainingRun.Snapshot::markSeconds)
                .toList());
    }

    @Test
    void aTimeBudgetStopsTheRunWithACheckpointAndAResumeKeepsTheTotal() {
        try (NDManager m = TorchRuntime.newManager()) {
            // 7 s steps, budget 30 s: steps 1-5 (35 s); the 5th reaches the budget and is checkpointed and logged
            new CountingRun(dir, 100).timeBudget(30).snapshotEvery(10).train(m, false, row -> {});
            assertEquals(new TrainingRun.Cost(5, 35.0, TrainingRun.Cost.read(dir).peakRssMiB()), TrainingRun.Cost.read(dir));
            assertEquals(List.of(10.0, 20.0, 30.0), TrainingRun.snapshots(dir).stream()
                    .map(TrainingRun.Snapshot::markSeconds).toList());
            // resumed with the same budget: nothing left; with a larger one: on to it
            new CountingRun(dir, 100).timeBudget(30).train(m, true, row -> {});
            assertEquals(5, TrainingRun.Cost.read(dir).steps());
            new CountingRun(dir, 100).timeBudget(50).train(m, true, row -> {});
            assertEquals(8, TrainingRun.Cost.read(dir).steps(), "35 s + 3 steps of 7 s = 56 s >= 50 s");
        }
    }

    @Test
    void aBudgetThatIsNotAMarkLeavesASnapshotOfTheFinalState() {
        try (NDManager m = TorchRuntime.newManager()) {
            // marks every 20 s, budget 30 s: snapshots at 20 (step 3, 21 s) and at the budget (step 5, 35 s)
            new CountingRun(dir, 100).timeBudget(30).snapshotEvery(20).train(m, false, row -> {});
            assertEquals(List.of(20.0, 30.0), TrainingRun.snapshots(dir).stream()
                    .map(TrainingRun.Snapshot::markSeconds).toList());
            assertEquals(5L, TrainingRun.snapshots(dir).get(1).step());
        }
    }
}
