package org.get4j.ablation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.get4j.metrics.StudentEvaluation;
import org.get4j.optim.TrainingRun;
import org.get4j.train.Distillation;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Every evaluated run under a folder in one table: a run is a folder holding an {@code eval.csv} (written by
 * {@code get4j eval} or a sweep), with its training cost from {@code cost.json} when it was trained here. Beside it,
 * for context only, the paper's CIFAR-10 numbers, labelled as the paper's.
 */
public final class ResultTable {
    private ResultTable() {}

    /** The evaluated runs under {@code root} (searched three levels deep; a missing root holds none), by folder. */
    public static Table gather(Path root) {
        List<Path> runs = List.of();
        if (Files.isDirectory(root)) {
            try (Stream<Path> files = Files.find(root, 3, (p, a) -> p.getFileName().toString().equals("eval.csv"))) {
                runs = files.map(Path::getParent).sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot search " + root + ": " + e.getMessage(), e);
            }
        }
        StringColumn run = StringColumn.create("run");
        StringColumn model = StringColumn.create("model");
        LongColumn params = LongColumn.create("params");
        DoubleColumn gmacs = DoubleColumn.create("GMACs");
        IntColumn iters = IntColumn.create("iters");
        StringColumn metric = StringColumn.create("metric");
        IntColumn samples = IntColumn.create("n");
        DoubleColumn fdTest = DoubleColumn.create("FD test");
        DoubleColumn low = DoubleColumn.create("FD low");
        DoubleColumn high = DoubleColumn.create("FD high");
        DoubleColumn fdTrain = DoubleColumn.create("FD train");
        DoubleColumn floor = DoubleColumn.create("floor");
        DoubleColumn score = DoubleColumn.create("classifier score");
        DoubleColumn l1 = DoubleColumn.create("fidelity L1");
        DoubleColumn psnr = DoubleColumn.create("PSNR");
        DoubleColumn rate = DoubleColumn.create("img/s");
        StringColumn loss = StringColumn.create("loss");
        DoubleColumn z0 = DoubleColumn.create("z0 scale");
        LongColumn steps = LongColumn.create("train steps");
        DoubleColumn minutes = DoubleColumn.create("train min");
        LongColumn rss = LongColumn.create("peak RSS MiB");
        for (Path dir : runs) {
            StudentEvaluation.Report r = StudentEvaluation.Report.read(dir);
            TrainingRun.Cost c = TrainingRun.Cost.read(dir);
            com.fasterxml.jackson.databind.JsonNode recipe = TrainingRun.record(dir);
            loss.append(recipe.path("train").path("distance").asText("-").toLowerCase());
            com.fasterxml.jackson.databind.JsonNode scale = recipe.path("model").path("z0_scale");
            if (scale.isNumber() && "get".equals(recipe.path("model").path("arch").asText())) { // a ViT has no z0
                z0.append(scale.asDouble());
            } else {
                z0.appendMissing();
            }
            run.append(root.relativize(dir).toString());
            model.append(r.model());
            params.append(r.parameters());
            gmacs.append(r.gmacs());
            if (r.iterations() > 0) {
                iters.append(r.iterations());
            } else {
                iters.appendMissing(); // a ViT: one forward pass, no fixed-point iterations
            }
            metric.append(r.metric());
            samples.append(r.samples());
            fdTest.append(r.fdTest());
            low.append(r.fdTestLow()); // NaN: evaluated before intervals were recorded
            high.append(r.fdTestHigh());
            fdTrain.append(r.fdTrain());
            floor.append(r.floor());
            score.append(r.classifierScore());
            l1.append(r.fidelityL1());
            psnr.append(r.psnr());
            rate.append(r.imagesPerSecond());
            if (c == null) {
                steps.appendMissing();
                minutes.appendMissing();
                rss.appendMissing();
            } else {
                steps.append(c.steps());
                minutes.append(c.trainSeconds() / 60);
                rss.append(c.peakRssMiB());
            }
        }
        return Readable.format(Table.create("Evaluated runs under " + root, run, model, params, gmacs, iters, metric, samples, fdTest,
                low, high, fdTrain, floor, score, l1, psnr, rate, loss, z0, steps, minutes, rss));
    }

    /** The rows evaluated on exactly n samples: FDs at different n are not comparable (the floor moves with n). */
    public static Table atSamples(Table runs, int n) {
        return runs.where(runs.intColumn("n").isEqualTo(n)).setName(runs.name() + ", n = " + n);
    }

    /**
     * The quality table of the runs at exactly n samples, as a reader compares them: recipe (loss, z0 scale, steps,
     * training minutes) beside FD to test with its 95% interval ("(no interval)" where none was recorded), the floor, the
     * classifier score and fidelity to the teacher; best FD first.
     */
    public static Table qualityAt(Table runs, int n) {
        Table at = atSamples(runs, n).sortAscendingOn("FD test");
        StringColumn fd = StringColumn.create("FD test [95%]");
        for (int i = 0; i < at.rowCount(); i++) {
            fd.append(new org.get4j.metrics.FdEstimate(at.doubleColumn("FD test").get(i),
                    at.doubleColumn("FD low").get(i), at.doubleColumn("FD high").get(i), n).toString());
        }
        Table t = at.selectColumns("run", "model", "params", "loss", "z0 scale", "train steps", "train min", "iters");
        t.addColumns(fd);
        t.addColumns(at.column("floor"), at.column("classifier score"), at.column("fidelity L1"), at.column("PSNR"));
        String metrics = String.join(", ", new java.util.TreeSet<>(at.stringColumn("metric").asList()));
        return t.setName("Quality at n = " + String.format("%,d", n) + " samples (" + metrics + " to the test split)");
    }

    /** The paper's unconditional CIFAR-10 results (FID against the test set, 50k samples) and its teacher. */
    public static Table paperCifar10() {
        String[] names = {"GET-T", "GET-M", "GET-S", "GET-B", "GET-B+", "EDM teacher"};
        double[] params = {8.56, 19.18, 37.17, 62.21, 83.48, Double.NaN};
        double[] fid = {15.23, 10.81, 7.99, 7.39, 7.21, 1.97};
        int[] nfe = {1, 1, 1, 1, 1, 35};
        return Table.create("The paper's CIFAR-10 numbers (unconditional, FID vs test set, 50k samples; for context, "
                + "not measured here)", StringColumn.create("model", names), DoubleColumn.create("params (M)", params),
                DoubleColumn.create("FID", fid), IntColumn.create("NFE", nfe),
                StringColumn.create("source", java.util.Collections.nCopies(names.length, "paper")));
    }
}
