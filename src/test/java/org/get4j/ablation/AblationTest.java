package org.get4j.ablation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import org.get4j.data.DataHome;
import org.get4j.data.Dataset;
import org.get4j.data.Datasets;
import org.get4j.data.ImageSet;
import org.get4j.deq.SolverKind;
import org.get4j.diffusion.GaussianMixtureTeacher;
import org.get4j.diffusion.SamplerConfig;
import org.get4j.metrics.Evaluation;
import org.get4j.metrics.FeatureExtractor;
import org.get4j.metrics.FeatureStatistics;
import org.get4j.model.Generator;
import org.get4j.model.GetModel;
import org.get4j.model.ModelConfig;
import org.get4j.pairs.PairGenerator;
import org.get4j.pairs.PairStore;
import org.get4j.pairs.SeedRange;
import org.get4j.runtime.TorchRuntime;
import org.get4j.train.DistillationStep;
import org.get4j.train.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

class AblationTest {
    private static final ModelConfig TINY = ModelConfig.get(32, 1, 4, 32, 4, 1, 2, 2, 0);

    @TempDir
    Path dir;

    private static ImageSet[] splits() {
        Path home = DataHome.resolve();
        assumeTrue(Datasets.isComplete(home, Dataset.MNIST), "MNIST not fetched");
        return new ImageSet[] {Datasets.load(home, Dataset.MNIST, Dataset.Split.TRAIN).padTo(32).slice(0, 2000),
            Datasets.load(home, Dataset.MNIST, Dataset.Split.TEST).padTo(32).slice(0, 1000)};
    }

    private static FeatureExtractor lenet(NDManager m) {
        return FeatureExtractor.lenet(m, DataHome.resolve().resolve("classifiers/lenet-mnist.safetensors"), "LeNet-MNIST");
    }

    @Test
    void sweepArmsAreReusedAndGatheredIntoOneTable() {
        ImageSet[] s = splits();
        try (NDManager m = TorchRuntime.newManager()) {
            Path pairs = dir.resolve("pairs");
            double[] mean = new double[1024];
            java.util.Arrays.fill(mean, -0.5);
            try (GaussianMixtureTeacher t = GaussianMixtureTeacher.of(m, 1, 32, 0, mean, new double[0], new double[0],
                    new double[] {0.01}, new double[] {1})) {
                new PairGenerator(t, SamplerConfig.reference().withSteps(2), SeedRange.parse("0-15"), 16, 16, false)
                        .generate(m, pairs, p -> { });
            }
            TrainConfig train = new TrainConfig(4, 4, 1e-3, 0, 0, 0.99, true, 2, 0, 0, 0.8, DistillationStep.Distance.L1,
                    TrainConfig.Gradient.PHANTOM, TrainConfig.reference(1, 1).forwardSolver(),
                    TrainConfig.reference(1, 1).backwardSolver(), 0, 2, 2, 0);
            ModelSweep.Judge judge = new ModelSweep.Judge(lenet(m), s[0], s[1], dir.resolve("stats"), 200);
            ModelSweep.Arm arm = new ModelSweep.Arm("tiny", TINY);
            Path runs = dir.resolve("runs");
            ModelSweep.Result first = ModelSweep.run(m, arm, train, PairStore.open(pairs, null), runs.resolve("tiny"),
                    judge, log -> { });
            assertFalse(first.reused());
            assertEquals(4, first.cost().steps());
            ModelSweep.Result again = ModelSweep.run(m, arm, train, PairStore.open(pairs, null), runs.resolve("tiny"),
                    judge, log -> { });
            assertTrue(again.reused(), "a complete, evaluated arm is not redone");
            assertEquals(first.report(), again.report());
            // another sample count re-evaluates the same checkpoint without training again
            ModelSweep.Result more = ModelSweep.run(m, arm, train, PairStore.open(pairs, null), runs.resolve("tiny"),
                    new ModelSweep.Judge(judge.fx(), s[0], s[1], judge.statsCache(), 300), log -> { });
            assertFalse(more.reused());
            assertEquals(300, more.report().samples());
            assertEquals(first.cost(), more.cost());

            ModelSweep.run(m, new ModelSweep.Arm("vit", ModelConfig.vit(32, 1, 4, 32, 4, 1, 0)), train,
                    PairStore.open(pairs, null), runs.resolve("vit"), judge, log -> { });
            Table both = ResultTable.gather(runs);
            assertEquals(2, both.rowCount());
            Table vit = both.where(both.stringColumn("run").isEqualTo("vit"));
            assertTrue(vit.doubleColumn("z0 scale").isMissing(0), "a ViT row has no z0 scale");
            Table t = both.where(both.stringColumn("run").isEqualTo("tiny"));
            assertEquals(1, t.rowCount());
            assertEquals("tiny", t.stringColumn("run").get(0));
            assertEquals(TINY.parameterCount(), t.longColumn("params").get(0));
            assertEquals(more.report().fdTest(), t.doubleColumn("FD test").get(0), 0);
            assertEquals(4, t.longColumn("train steps").get(0));
            assertEquals("l1", t.stringColumn("loss").get(0), "the recipe, from run.json");
            assertEquals(TINY.z0Scale(), t.doubleColumn("z0 scale").get(0));
            assertEquals(1, ResultTable.atSamples(both, 300).rowCount(), "the ViT arm was evaluated at 200 samples");
            assertEquals(0, ResultTable.atSamples(t, 10_000).rowCount(), "runs at another n are another table");
            Table quality = ResultTable.qualityAt(t, 300);
            assertEquals(1, quality.rowCount());
            assertEquals("l1", quality.stringColumn("loss").get(0));
            assertEquals(new org.get4j.metrics.FdEstimate(t.doubleColumn("FD test").get(0), t.doubleColumn("FD low").get(0),
                    t.doubleColumn("FD high").get(0), 300).toString(), quality.stringColumn("FD test [95%]").get(0));
            assertEquals(0, ResultTable.gather(dir.resolve("absent")).rowCount(), "a missing folder holds no runs");
            Table paper = ResultTable.paperCifar10();
            assertEquals(7.39, paper.where(paper.stringColumn("model").isEqualTo("GET-B")).doubleColumn("FID").get(0));
        }
    }

    @Test
    void iterationSweepVisitsEverySolverAndCountAndIsDeterministic() {
        ImageSet[] s = splits();
        try (NDManager m = TorchRuntime.newManager()) {
            m.getEngine().setRandomSeed(3);
            GetModel g = (GetModel) Generator.create(TINY, m);
            FeatureExtractor fx = lenet(m);
            FeatureStatistics test = Evaluation.statistics(fx, Evaluation.ImageSource.of(s[1]), 500);
            List<SolverKind> solvers = List.of(SolverKind.FIXED_POINT, SolverKind.ANDERSON);
            List<IterationSweep.Point> a = IterationSweep.run(m, g, solvers, List.of(1, 3), fx, test, 200, 100, p -> { });
            List<IterationSweep.Point> b = IterationSweep.run(m, g, solvers, List.of(1, 3), fx, test, 200, 100, p -> { });
            assertEquals(List.of("fixed_point:1", "fixed_point:3", "anderson:1", "anderson:3"),
                    a.stream().map(p -> p.solver() + ":" + p.iterations()).toList());
            for (int i = 0; i < a.size(); i++) {
                assertEquals(a.get(i).fd(), b.get(i).fd(), 0, "same seeds, same samples");
                assertEquals(a.get(i).relativeResidual(), b.get(i).relativeResidual(), 0);
                assertTrue(a.get(i).fd() > 0 && a.get(i).relativeResidual() > 0 && a.get(i).imagesPerSecond() > 0);
                assertEquals(a.get(i).estimate(), b.get(i).estimate(), "the interval is seeded too");
                assertEquals(200, a.get(i).estimate().samples());
                assertTrue(a.get(i).estimate().low() < a.get(i).fd() && a.get(i).fd() < a.get(i).estimate().high(),
                        a.get(i).estimate().toString());
            }
            assertEquals(2, IterationSweep.of(a, "anderson").size());
            assertEquals(0, IterationSweep.solverAt(SolverKind.BROYDEN, 4).tol());
            assertTrue(IterationSweep.solverAt(SolverKind.FIXED_POINT, 4).returnFinal(), "k iterations keep the k-th");
        }
    }
}
