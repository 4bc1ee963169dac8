package org.get4j.ablation;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.get4j.deq.SolverConfig;
import org.get4j.deq.SolverKind;
import org.get4j.io.RunFiles;
import org.get4j.metrics.Evaluation;
import org.get4j.metrics.FeatureExtractor;
import org.get4j.metrics.FdEstimate;
import org.get4j.metrics.FeatureStatistics;
import org.get4j.metrics.StudentEvaluation;
import org.get4j.model.GetModel;

/**
 * The anytime curve of one trained GET. The number of fixed-point iterations is an inference-time choice: the same
 * weights are sampled with k = 1, 2, ... evaluations of f (tolerance 0, so exactly k, keeping the last), with each
 * solver, and every point reports the Frechet distance of its samples to reference statistics, the samples' mean
 * final relative residual |f(z) - z| / |f(z)|, and images per second. The samples come from the evaluation seeds, so
 * every point sees the same noise and the same z0. Each FD carries its 95% bootstrap interval over the samples.
 */
public final class IterationSweep {
    /** One (solver, iterations) point of the curve. */
    public record Point(String solver, int iterations, FdEstimate estimate, double relativeResidual,
            StudentEvaluation.Rate rate) {
        /** The FD of this point's samples (its 95% interval: {@link #estimate}). */
        public double fd() {
            return estimate.fd();
        }

        /** The median images per second over the sampling batches. */
        public double imagesPerSecond() {
            return rate.median();
        }
    }

    private IterationSweep() {}

    /**
     * The solver config of one point: {@code iterations} evaluations of f, no early stop, and the last one returned
     * (the lowest-residual rule would return the first iterate of a map that does not yet contract, and the curve
     * would be flat).
     */
    public static SolverConfig solverAt(SolverKind kind, int iterations) {
        return SolverConfig.unrolled(iterations).toBuilder().solver(kind).build();
    }

    public static List<Point> run(NDManager manager, GetModel model, List<SolverKind> solvers, List<Integer> iterations,
            FeatureExtractor fx, FeatureStatistics reference, int n, int batch, Consumer<Point> progress) {
        List<Point> points = new ArrayList<>();
        for (SolverKind kind : solvers) {
            for (int k : iterations) {
                StudentEvaluation.Samples s = StudentEvaluation.sample(manager, model, solverAt(kind, k), n, batch);
                FdEstimate fd = Evaluation.bootstrap(fx, StudentEvaluation.buffer(s.images(), model.config()), batch)
                        .estimate(reference);
                Point p = new Point(kind.key(), k, fd, s.relativeResidual(), s.rate());
                points.add(p);
                progress.accept(p);
            }
        }
        return points;
    }

    /** The points of one solver, in iteration order. */
    public static List<Point> of(List<Point> points, String solver) {
        return points.stream().filter(p -> p.solver().equals(solver)).toList();
    }

    /** The points as a table (one row per point). */
    public static tech.tablesaw.api.Table table(List<Point> points) {
        return Readable.format(tech.tablesaw.api.Table.create("anytime curve",
                tech.tablesaw.api.StringColumn.create("solver", points.stream().map(Point::solver).toList()),
                tech.tablesaw.api.IntColumn.create("iterations", points.stream().mapToInt(Point::iterations).toArray()),
                tech.tablesaw.api.StringColumn.create("FD [95%]",
                        points.stream().map(p -> p.estimate().toString()).toList()),
                tech.tablesaw.api.DoubleColumn.create("relative residual",
                        points.stream().mapToDouble(Point::relativeResidual).toArray()),
                tech.tablesaw.api.DoubleColumn.create("img/s (median of batches)",
                        points.stream().mapToDouble(Point::imagesPerSecond).toArray()),
                tech.tablesaw.api.StringColumn.create("img/s range",
                        points.stream().map(p -> String.format("%.0f-%.0f", p.rate().low(), p.rate().high())).toList())));
    }

    /** Writes the points as CSV (atomically). */
    public static void write(List<Point> points, java.nio.file.Path csv) {
        StringBuilder sb = new StringBuilder(
                "solver,iterations,fd,fd_low,fd_high,samples,relative_residual,images_per_second,images_per_second_low,"
                        + "images_per_second_high\n");
        for (Point p : points) {
            sb.append(String.join(",", p.solver(), Integer.toString(p.iterations()), Double.toString(p.fd()),
                    Double.toString(p.estimate().low()), Double.toString(p.estimate().high()),
                    Long.toString(p.estimate().samples()),
                    Double.toString(p.relativeResidual()), Double.toString(p.imagesPerSecond()),
                    Double.toString(p.rate().low()), Double.toString(p.rate().high()))).append('\n');
        }
        RunFiles.writeText(csv, sb.toString());
    }
}
