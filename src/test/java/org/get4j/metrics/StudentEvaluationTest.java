package org.get4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.get4j.data.DataHome;
import org.get4j.data.Dataset;
import org.get4j.data.Datasets;
import org.get4j.data.ImageSet;
import org.get4j.deq.SolverConfig;
import org.get4j.diffusion.GaussianMixtureTeacher;
import org.get4j.diffusion.SamplerConfig;
import org.get4j.model.Generator;
import org.get4j.model.ModelConfig;
import org.get4j.pairs.PairGenerator;
import org.get4j.pairs.PairStore;
import org.get4j.pairs.Pairs;
import org.get4j.pairs.SeedRange;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The results row on an untrained student, whose zero-initialised decoder makes every image exactly 0. */
class StudentEvaluationTest {
    @TempDir
    Path dir;

    @Test
    void reportOfAnUntrainedStudent() throws Exception {
        Path home = DataHome.resolve();
        assumeTrue(Datasets.isComplete(home, Dataset.MNIST), "MNIST not fetched");
        try (NDManager m = TorchRuntime.newManager()) {
            ImageSet train = Datasets.load(home, Dataset.MNIST, Dataset.Split.TRAIN).padTo(32);
            ImageSet test = Datasets.load(home, Dataset.MNIST, Dataset.Split.TEST).padTo(32).slice(0, 2000);
            FeatureExtractor fx = FeatureExtractor.lenet(m, home.resolve("classifiers/lenet-mnist.safetensors"),
                    "LeNet-MNIST");
            Generator g = Generator.create(ModelConfig.get(32, 1, 4, 32, 4, 1, 3, 2, 0), m);
            // held-out pairs from a one-pixel-wide analytic teacher
            double[] mean = new double[1024];
            java.util.Arrays.fill(mean, -0.5);
            Path pairs = dir.resolve("pairs");
            try (GaussianMixtureTeacher t = GaussianMixtureTeacher.of(m, 1, 32, 0, mean, new double[0], new double[0],
                    new double[] {0.01}, new double[] {1})) {
                new PairGenerator(t, SamplerConfig.reference().withSteps(3), SeedRange.parse("0-49"), 50, 50, false)
                        .generate(m, pairs, p -> { });
            }
            PairStore store = PairStore.open(pairs, null);
            StudentEvaluation.Report r = StudentEvaluation.evaluate(m, "untrained", g, SolverConfig.reference(), fx,
                    train, test, dir.resolve("stats"), store, 20, 300);
            Pairs held = store.range(30, 50);
            double l1 = 0;
            double sq = 0;
            for (float v : held.images()) {
                l1 += Math.abs(v) / held.images().length;
                sq += (double) v * v / held.images().length;
            }
            assertEquals(l1, r.fidelityL1(), 1e-6, "zero images: L1 = mean |teacher image|");
            assertEquals(10 * Math.log10(4 / sq), r.psnr(), 1e-4);
            assertTrue(r.floor() > 0 && r.fdTest() > 10 * r.floor(), "blank images are far from MNIST: " + r);
            assertEquals(1.0, r.classifierScore(), 1e-6, "identical images: one class, score 1");
            assertEquals(6, r.iterations());
            assertTrue(r.imagesPerSecond() > 0 && r.csvRow().startsWith("untrained,"));
            r.write(dir);
            assertTrue(dir.resolve("eval.csv").toFile().length() > 0 && dir.resolve("eval.md").toFile().length() > 0);
            assertEquals(r, StudentEvaluation.Report.read(dir), "eval.csv gives back the report, interval included");
            assertTrue(r.fdTestLow() <= r.fdTest() && r.fdTest() <= r.fdTestHigh(), r.toString());
            assertTrue(java.nio.file.Files.readString(dir.resolve("eval.md")).contains(r.fdTestEstimate().toString()));
            // an eval.csv from before intervals still reads, the interval NaN
            StudentEvaluation.Report before = readLegacy("old", "model,parameters,gmacs,iterations,metric,samples,"
                    + "fd_test,fd_train,floor,classifier_score,fidelity_l1,psnr,images_per_second\n"
                    + "GET,1151504,0.5,6,FD-LeNet-MNIST,10000,99.2,98.0,1.37,8.1,0.1,20.0,300.0\n");
            assertEquals(99.2, before.fdTest());
            assertEquals(98.0, before.fdTrain());
            assertTrue(Double.isNaN(before.fdTestLow()) && Double.isNaN(before.fdTestHigh()));
            // and one with intervals but from before class agreement
            StudentEvaluation.Report mid1 = readLegacy("mid", "model,parameters,gmacs,iterations,metric,samples,"
                    + "fd_test,fd_test_low,fd_test_high,fd_train,floor,classifier_score,fidelity_l1,psnr,images_per_second\n"
                    + "GET,1151504,0.5,6,FD-LeNet-MNIST,10000,99.2,97.1,101.0,98.0,1.37,8.1,0.1,20.0,300.0\n");
            assertEquals(97.1, mid1.fdTestLow());
            assertEquals(300.0, mid1.imagesPerSecond());
            assertNull(mid1.agreement());
            assertNull(r.agreement(), "an unconditional model has no class agreement");
            assertNull(before.agreement());
            assertTrue(r.markdown().contains(" | 6 | "), r.markdown());

            // A conditional student: its samples are scored against the labels they were drawn for.
            Generator conditional = Generator.create(ModelConfig.get(32, 1, 4, 32, 4, 1, 3, 2, 10), m);
            StudentEvaluation.Report c = StudentEvaluation.evaluate(m, "conditional", conditional,
                    SolverConfig.reference(), fx, train, test, dir.resolve("stats"), null, 0, 300);
            assertNotNull(c.agreement());
            assertEquals(300, c.agreement().n());
            Path cd = java.nio.file.Files.createDirectories(dir.resolve("conditional"));
            c.write(cd);
            assertEquals(10, c.classes().size(), "one row per class");
            assertEquals(300, c.classes().stream().mapToLong(row -> row.fd().samples()).sum());
            assertTrue(Double.isNaN(c.classes().get(0).fd().fd()), "30 samples of 128-d features: no FD, not an error");
            assertEquals(c, StudentEvaluation.Report.read(cd), "the agreement and the per-class rows survive");
            assertTrue(java.nio.file.Files.readString(cd.resolve("eval.md")).contains(c.classes().get(7).fd().toString()));
            assertNull(r.classes(), "an unconditional model has no per-class rows");
            assertEquals(c.agreement(), PerClassQuality.overallAgreement(c.classes()), "the classes add up");
            assertTrue(java.nio.file.Files.readString(cd.resolve("eval.md")).contains(c.agreement().toString()));
            r.write(cd); // an unconditional report written where a conditional one was leaves no stale class rows
            assertTrue(!java.nio.file.Files.exists(cd.resolve(StudentEvaluation.Report.CLASSES_FILE)));
            assertNull(StudentEvaluation.Report.read(cd).classes());
        }
    }

    @Test
    void aVitRowShowsNoIterations() throws Exception {
        // a ViT (recorded with 0 iterations) shows "-" in the markdown's iterations column; a GET its count
        String header = "model,parameters,gmacs,iterations,metric,samples,fd_test,fd_train,floor,classifier_score,"
                + "fidelity_l1,psnr,images_per_second\n";
        StudentEvaluation.Report vit = readLegacy("vit", header
                + "VIT,1202320,0.08,0,FD-LeNet-MNIST,10000,150.2,143.5,1.37,5.9,0.1,17.2,389.7\n");
        assertTrue(vit.markdown().contains("| 0.08 | - | "), vit.markdown());
        StudentEvaluation.Report get = readLegacy("get", header
                + "GET,1151504,0.28,6,FD-LeNet-MNIST,10000,109.8,104.0,1.37,6.6,0.1,17.6,131.5\n");
        assertTrue(get.markdown().contains("| 0.28 | 6 | "), get.markdown());
    }

    /** An eval.csv in an older format, written under {@code name} and read back. */
    private StudentEvaluation.Report readLegacy(String name, String csv) throws java.io.IOException {
        Path folder = java.nio.file.Files.createDirectories(dir.resolve(name));
        java.nio.file.Files.writeString(folder.resolve("eval.csv"), csv);
        return StudentEvaluation.Report.read(folder);
    }

    @Test
    void aRateIsTheMedianOfItsRunsWithTheirRange() {
        StudentEvaluation.Rate odd = StudentEvaluation.Rate.of(new double[] {160, 150, 171});
        assertEquals(160, odd.median());
        assertEquals(150, odd.low());
        assertEquals(171, odd.high());
        assertEquals("160 (150-171)", odd.toString());
        assertEquals(155, StudentEvaluation.Rate.of(new double[] {170, 150, 160, 140}).median());
        assertEquals("42", StudentEvaluation.Rate.of(new double[] {42}).toString());
    }
}
