package org.get4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.get4j.diffusion.GaussianMixtureTeacher;
import org.get4j.metrics.TrainingCurve;
import org.get4j.optim.TrainingRun;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 21 from the command line: train for a time budget with snapshots, then FD against training time. */
class CurveCommandTest {
    @TempDir
    Path dir;

    @Test
    void aTimeBudgetedRunWithSnapshotsGivesAnFdCurveThatIsReusedWhenAskedAgain() throws Exception {
        Path teacher = dir.resolve("gmm.safetensors");
        double[] means = new double[32 * 32];
        for (int i = 0; i < means.length; i++) {
            means[i] = Math.cos(i / 9.0) * 0.5;
        }
        try (NDManager m = TorchRuntime.newManager();
                GaussianMixtureTeacher t = GaussianMixtureTeacher.of(m, 1, 32, 0, means, new double[0], new double[0],
                        new double[] {0.02}, new double[] {1})) {
            t.save(teacher);
        }
        Path pairs = dir.resolve("pairs");
        assertEquals(0, CliRun.of("pairs", "generate", "--teacher", teacher.toString(), "--seeds", "0-15", "--steps",
                "2", "--out", pairs.toString()).code());
        Path run = dir.resolve("run");
        CliRun train = CliRun.of("train", "--pairs", pairs.toString(), "--arch", "get", "--image-size", "32",
                "--channels", "1", "--patch", "8", "--width", "16", "--heads", "2", "--depth", "1", "--unroll", "2",
                "--steps", "1000000", "--batch", "2", "--time-budget", "3", "--snapshot-every", "1", "--out",
                run.toString());
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("time budget of 3 s reached at step"), train.out());
        List<TrainingRun.Snapshot> snapshots = TrainingRun.snapshots(run);
        // marks 1, 2, 3 s (a step that passes several marks leaves one snapshot, at the latest); the step that
        // reaches the budget leaves the last
        List<Double> marks = snapshots.stream().map(TrainingRun.Snapshot::markSeconds).toList();
        assertTrue(marks.get(marks.size() - 1) >= 3.0, marks.toString());
        assertEquals(TrainingRun.Cost.read(run).steps(), snapshots.get(snapshots.size() - 1).step());
        assertTrue(marks.stream().allMatch(t -> t == Math.rint(t) && t >= 1), marks.toString());

        CliRun curve = CliRun.of("curve", "--run", run.toString(), "--n", "200", "--iters", "2");
        assertEquals(0, curve.code(), curve.err());
        List<TrainingCurve.Point> points = TrainingCurve.read(run);
        assertEquals(snapshots.size(), points.size(), curve.out());
        for (int i = 0; i < points.size(); i++) {
            TrainingCurve.Point p = points.get(i);
            assertEquals(snapshots.get(i).step(), p.step());
            // (an almost untrained student draws almost one image: the interval may be a point)
            assertTrue(p.fd().low() <= p.fd().fd() && p.fd().fd() <= p.fd().high(), p.toString());
            assertTrue(curve.out().contains(p.fd().toString()), curve.out());
        }
        assertTrue(curve.out().contains("floor (200 real training images): "), curve.out());
        String first = Files.readString(run.resolve(TrainingCurve.FILE));
        assertEquals(0, CliRun.of("curve", "--run", run.toString(), "--n", "200", "--iters", "2").code());
        assertEquals(first, Files.readString(run.resolve(TrainingCurve.FILE)), "the same rows, reused");
        // A confirmation of the last mark on more samples sits beside the curve; the curve's rows are kept.
        String last = String.valueOf(marks.get(marks.size() - 1).longValue());
        CliRun other = CliRun.of("curve", "--run", run.toString(), "--n", "300", "--iters", "2", "--marks", last);
        assertEquals(0, other.code(), other.err());
        assertEquals(points, TrainingCurve.read(run, 200), "the 200-sample curve is kept as it was");
        List<TrainingCurve.Point> confirmed = TrainingCurve.read(run, 300);
        assertEquals(List.of(marks.get(marks.size() - 1)), confirmed.stream().map(TrainingCurve.Point::markSeconds)
                .toList(), "only the mark asked for");
        assertEquals(points.size() + 1, TrainingCurve.read(run).size());
        // Another solver for the same snapshots and n replaces those rows rather than adding a second curve.
        assertEquals(0, CliRun.of("curve", "--run", run.toString(), "--n", "200", "--iters", "1").code());
        assertEquals(points.size(), TrainingCurve.read(run, 200).size(), "rescored with one iteration, not added");
        assertEquals(confirmed, TrainingCurve.read(run, 300), "the other n untouched");
        // A row of a snapshot no longer there (rewritten at its mark by a resume) is dropped, not read as a score.
        Files.writeString(run.resolve(TrainingCurve.FILE), Files.readString(run.resolve(TrainingCurve.FILE))
                + last + ",1,1.0,200,FD-LeNet-MNIST,abc,1.0,0.5,1.5,00stale\n");
        assertEquals(points.size() + 2, TrainingCurve.read(run).size());
        assertEquals(0, CliRun.of("curve", "--run", run.toString(), "--n", "200", "--iters", "1").code());
        assertEquals(points.size() + 1, TrainingCurve.read(run).size(), "the stale row is gone");
        CliRun missing = CliRun.of("curve", "--run", run.toString(), "--marks", "99999");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("no snapshot at [99999.0] s"), missing.err());
        CliRun none = CliRun.of("curve", "--run", pairs.toString());
        assertEquals(1, none.code());
        assertTrue(none.err().contains("holds no snapshots") && none.err().contains("--snapshot-every"), none.err());
    }
}
