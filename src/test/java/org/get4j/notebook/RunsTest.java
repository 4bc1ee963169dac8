package org.get4j.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.get4j.data.DataHome;
import org.get4j.diffusion.Denoiser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunsTest {
    @TempDir
    Path dir;

    /** A teacher's reference FD is scored once per teacher, n and metric, and read back after that. */
    @Test
    void theTeachersFdIsScoredOnceAndKept() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.get4j.data.Datasets.isComplete(DataHome.resolve(),
                org.get4j.data.Dataset.MNIST), "MNIST not fetched");
        try (ai.djl.ndarray.NDManager m = org.get4j.runtime.TorchRuntime.newManager()) {
            Denoiser gmm = org.get4j.diffusion.Teachers.resolve(m, "gmm:mnist");
            org.get4j.metrics.Scoring scoring = org.get4j.metrics.Scoring.lenet(m, org.get4j.data.Dataset.MNIST);
            org.get4j.metrics.FdEstimate first = Runs.teacherFd(dir, scoring, gmm, 200);
            assertEquals(200, first.samples());
            assertEquals(first, org.get4j.metrics.TeacherQuality.report(scoring, gmm, new int[] {18}, 200, 64, p -> { })
                    .curve().get(0).estimate(), "the same samples, scored the same way");
            Path kept = dir.resolve("teacher-fd-" + Runs.teacherTag(gmm) + "-200.json");
            String json = Files.readString(kept);
            Files.writeString(kept, json.replace("\"fd\" : " + first.fd(), "\"fd\" : 123.0"));
            assertEquals(123.0, Runs.teacherFd(dir, scoring, gmm, 200).fd(), "read back, not scored again");
        }
    }

    /** Quick-mode notebooks (CI) write beside the user's runs, never into them; GET4J_RUNS overrides both. */
    @Test
    void quickRunsLiveApartFromFullRuns() {
        Path data = Path.of("/home/u/get4j/data");
        assertEquals(Path.of("/home/u/get4j/runs"), Runs.dir(null, false, data));
        assertEquals(Path.of("/home/u/get4j/runs-quick"), Runs.dir(" ", true, data));
        assertEquals(Path.of("/tmp/r"), Runs.dir("/tmp/r", true, data));
    }

    /**
     * A long experiment is read from this machine's run once it has finished, else from the shipped copy; a run that
     * has only started does not hide the shipped results.
     */
    @Test
    void anExperimentIsReadFromThisMachinesFinishedRunElseFromTheShippedCopy() throws Exception {
        Path runs = dir.resolve("runs");
        Path shipped = dir.resolve("data/results");
        java.util.function.Predicate<Path> finished = d -> Files.isRegularFile(d.resolve("results.md"));
        Runs.Experiment none = Runs.experiment(runs, shipped, "mnist", "make-it", finished);
        assertEquals(runs.resolve("mnist"), none.dir());
        org.junit.jupiter.api.Assertions.assertFalse(none.exists() || none.shipped());
        org.junit.jupiter.api.Assertions.assertTrue(none.line().contains("none shipped"), none.line());

        Files.createDirectories(shipped.resolve("mnist"));
        Files.createDirectories(runs.resolve("mnist")); // started: pairs made, nothing finished
        Runs.Experiment ship = Runs.experiment(runs, shipped, "mnist", "make-it", finished);
        assertEquals(shipped.resolve("mnist"), ship.dir());
        org.junit.jupiter.api.Assertions.assertTrue(ship.shipped() && ship.exists());
        org.junit.jupiter.api.Assertions.assertTrue(ship.line().contains("run make-it here"), ship.line());

        Files.writeString(runs.resolve("mnist/results.md"), "# done");
        Runs.Experiment own = Runs.experiment(runs, shipped, "mnist", "make-it", finished);
        assertEquals(runs.resolve("mnist"), own.dir());
        org.junit.jupiter.api.Assertions.assertFalse(own.shipped());
        org.junit.jupiter.api.Assertions.assertTrue(own.line().startsWith("Reading this machine's"), own.line());
    }

    /** What counts as finished: the MNIST experiment once it wrote its summary; the ablation once every arm is scored. */
    @Test
    void partRunExperimentsDoNotCountAsFinished() throws Exception {
        Path mnist = Files.createDirectories(dir.resolve("mnist/get-mini"));
        Files.writeString(mnist.resolve("eval.csv"), "evaluated before the summary is written");
        org.junit.jupiter.api.Assertions.assertFalse(Runs.mnistFinished(mnist.getParent()));
        Files.writeString(mnist.resolveSibling("results.md"), "# MNIST distillation");
        org.junit.jupiter.api.Assertions.assertTrue(Runs.mnistFinished(mnist.getParent()));

        Path cost = dir.resolve("training-cost");
        org.junit.jupiter.api.Assertions.assertFalse(Runs.armsScored(cost), "no folder");
        Path vit = Files.createDirectories(cost.resolve("vit"));
        Files.writeString(vit.resolve("run.json"), "{\"kind\":\"distillation\",\"train\":{\"batch\":64}}");
        Files.writeString(vit.resolve("metrics.csv"), "step,loss,images_per_second,elapsed_ms\n50,0.5,180,0\n");
        Files.writeString(vit.resolve("cost.json"), "{\"steps\":50,\"train_seconds\":300.1,\"peak_rss_mib\":1500}");
        org.junit.jupiter.api.Assertions.assertFalse(Runs.armsScored(cost), "trained (a checkpoint's cost record), not scored");
        Files.writeString(vit.resolve(org.get4j.metrics.TrainingCurve.FILE), "mark_seconds,step,train_seconds,samples,"
                + "metric,solver,fd,fd_low,fd_high,snapshot_sha256\n300,50,300.1,2000,FD-LeNet-MNIST,abc,150.0,145.0,155.0,ff\n");
        org.junit.jupiter.api.Assertions.assertTrue(Runs.armsScored(cost));
        Path get = Files.createDirectories(cost.resolve("unroll-2"));
        for (String f : new String[] {"run.json", "metrics.csv", "cost.json"}) {
            Files.copy(vit.resolve(f), get.resolve(f));
        }
        org.junit.jupiter.api.Assertions.assertFalse(Runs.armsScored(cost), "one arm still unscored");
    }

    @Test
    void theLossPlotIsTitledWithTheDistanceTheRunRecorded() throws Exception {
        Path run = dir.resolve("run.json");
        assertEquals("loss", Runs.distance(run), "no record: a neutral title");
        Files.writeString(run, "{\"train\": {\"distance\": \"L2\", \"steps\": 4}}");
        assertEquals("L2", Runs.distance(run));
        Files.writeString(run, "{\"train\": ");
        assertEquals("loss", Runs.distance(run), "a damaged record is not an error for a plot title");
    }

    /** Pairs (and the runs named after them) of different teachers land in different folders. */
    @Test
    void aTeacherIsTaggedByItsFilesChecksum() {
        assertEquals("25df8317", Runs.teacherTag("edm-unet({base=16}, sha256=25df831742fc53d6b332f2ca4be82a1fc61b840b)"));
        String analytic = Runs.teacherTag("gmm-teacher(mnist, rank 32)");
        assertEquals(8, analytic.length());
        assertEquals(analytic, Runs.teacherTag("gmm-teacher(mnist, rank 32)"));
        org.junit.jupiter.api.Assertions.assertNotEquals(analytic, Runs.teacherTag("gmm-teacher(mnist, rank 16)"));
        // guided: two files and a weight; neither the conditional file's tag nor another weight's
        String conditional = "edm-unet({num_classes=10}, sha256=007d89db1feabf44)";
        String guided = Runs.teacherTag("guided(w=1.5, " + conditional + ", edm-unet({}, sha256=6f1e2c3d4b5a))");
        assertEquals(8, guided.length());
        org.junit.jupiter.api.Assertions.assertNotEquals(Runs.teacherTag(conditional), guided);
        org.junit.jupiter.api.Assertions.assertNotEquals(guided,
                Runs.teacherTag("guided(w=2.0, " + conditional + ", edm-unet({}, sha256=6f1e2c3d4b5a))"));
    }
}
