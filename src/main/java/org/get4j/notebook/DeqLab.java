package org.get4j.notebook;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.get4j.deq.FixedPointMap;
import org.get4j.deq.Solver;
import org.get4j.deq.SolverConfig;
import org.get4j.deq.SolverKind;
import org.get4j.deq.SolverResult;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** The experiments of the equilibrium-models notebook, as one-line calls that return tables and plots. */
public final class DeqLab {
    private DeqLab() {}

    /** Four significant digits in scientific notation: residuals and errors span many decades. */
    private static DoubleColumn sci(String name) {
        DoubleColumn c = DoubleColumn.create(name);
        c.setPrintFormatter(new java.text.DecimalFormat("0.000E0"), "");
        return c;
    }

    private static DoubleColumn fixed(String name, String pattern) {
        DoubleColumn c = DoubleColumn.create(name);
        c.setPrintFormatter(new java.text.DecimalFormat(pattern), "");
        return c;
    }

    /** Timed solves of each solver after an untimed one: the median is the table's time, with the range beside it. */
    static final int RACE_REPEATS = 5;

    /** Solvers run on the same problem: a table of costs and the mean residual trace of each. */
    public record Race(Table table, Map<String, double[]> traces) {
        public BufferedImage plot() {
            return Plots.lines("Residual ||f(z) - z|| (batch mean)", "evaluations of f", "residual", true, traces);
        }
    }

    /**
     * Evaluations and residual of each solver's first solve (deterministic); its time is the median of
     * {@value #RACE_REPEATS} further solves, with the fastest and slowest, because one millisecond-scale timing varies
     * severalfold between runs.
     */
    public static Race solverRace(FixedPointMap f, NDList z0, List<SolverConfig> configs) {
        StringColumn name = StringColumn.create("solver");
        IntColumn evaluations = IntColumn.create("evaluations");
        DoubleColumn residual = sci("max residual");
        BooleanColumn converged = BooleanColumn.create("converged");
        DoubleColumn median = fixed("time (ms, median)", "0.0");
        StringColumn spread = StringColumn.create("time range (ms)");
        Map<String, double[]> traces = new LinkedHashMap<>();
        for (SolverConfig c : configs) {
            Solver solver = Solver.of(c);
            try (SolverResult r = solver.solve(f, z0)) { // untimed: it also warms the kernels up
                name.append(c.solver().key());
                evaluations.append(r.iterations());
                residual.append(r.maxResidual(c.stopMode()));
                converged.append(r.converged());
                traces.put(c.solver().key(), r.meanTrace(c.stopMode()));
            }
            double[] ms = new double[RACE_REPEATS];
            for (int k = 0; k < RACE_REPEATS; k++) {
                try (SolverResult r = solver.solve(f, z0)) {
                    ms[k] = r.nanos() / 1e6;
                }
            }
            appendMedianAndRange(ms, median, spread);
        }
        return new Race(Table.create("solvers on the same fixed-point problem (time: " + RACE_REPEATS
                + " runs each after one untimed)", name, evaluations, residual, converged, median, spread), traces);
    }

    /** The three solvers with the same budget and tolerance (absolute residual). */
    public static List<SolverConfig> allSolvers(int maxIter, double tol) {
        return Arrays.stream(SolverKind.values())
                .map(k -> SolverConfig.builder().solver(k).maxIter(maxIter).tol(tol).m(5).build())
                .toList();
    }

    /** dL/dW at a few entries: finite differences against the implicit and phantom gradients. */
    public static Table gradientTable(TanhDeq deq, int[] phantomSteps, int... entries) {
        double[] implicit = deq.implicitGradient();
        double[][] phantom = new double[phantomSteps.length][];
        for (int s = 0; s < phantomSteps.length; s++) {
            phantom[s] = deq.phantomGradient(phantomSteps[s], 1.0);
        }
        Table t = Table.create("dL/dW: three ways");
        IntColumn entry = IntColumn.create("W entry");
        DoubleColumn fd = fixed("finite difference", "0.0000000000");
        DoubleColumn imp = fixed("implicit", "0.0000000000");
        DoubleColumn impErr = sci("implicit rel. error");
        DoubleColumn[] ph = new DoubleColumn[phantomSteps.length];
        for (int s = 0; s < phantomSteps.length; s++) {
            ph[s] = sci("phantom k=" + phantomSteps[s] + " rel. error");
        }
        for (int i : entries) {
            double d = deq.finiteDifference(i, 1e-5);
            entry.append(i);
            fd.append(d);
            imp.append(implicit[i]);
            impErr.append(Math.abs(implicit[i] - d) / Math.abs(d));
            for (int s = 0; s < phantomSteps.length; s++) {
                ph[s].append(Math.abs(phantom[s][i] - d) / Math.abs(d));
            }
        }
        t.addColumns(entry, fd, imp, impErr);
        t.addColumns(ph);
        return t;
    }

    /**
     * The three ways to the gradient dL/dW on one toy DEQ, side by side: time (median of {@code repeats} runs, with
     * the fastest and slowest), calls of f in the forward pass, calls kept on the autograd tape (each holds its
     * activations until backward, so memory is proportional to it), and the relative error against the implicit
     * gradient (forward and backward solved to 1e-13; {@link #gradientTable} checks it against finite differences).
     * The implicit gradient's backward solve adds
     * vector-Jacobian products through the one taped call, not f calls.
     */
    public static Table gradientCosts(TanhDeq deq, int unroll, int phantomSteps, int repeats) {
        Map<String, java.util.function.Supplier<double[]>> methods = new LinkedHashMap<>();
        methods.put("implicit (solve z*, then solve for g): the reference", deq::implicitGradient);
        methods.put("phantom: " + phantomSteps + " steps from z*", () -> deq.phantomGradient(phantomSteps, 1.0));
        methods.put("full backprop through " + unroll + " iterations", () -> deq.unrolledGradient(unroll));
        double[] exact = deq.implicitGradient();
        StringColumn name = StringColumn.create("gradient");
        IntColumn forward = IntColumn.create("f calls");
        IntColumn taped = IntColumn.create("f calls kept for backward");
        DoubleColumn median = fixed("time (ms, median)", "0.0");
        StringColumn spread = StringColumn.create("time range (ms)");
        DoubleColumn error = sci("rel. error vs implicit");
        for (Map.Entry<String, java.util.function.Supplier<double[]>> m : methods.entrySet()) {
            double[] ms = new double[repeats];
            double[] g = null;
            for (int r = 0; r < repeats; r++) {
                deq.resetCounts();
                long t0 = System.nanoTime();
                g = m.getValue().get();
                ms[r] = (System.nanoTime() - t0) / 1e6;
            }
            name.append(m.getKey());
            forward.append((int) deq.calls());
            taped.append((int) deq.taped());
            appendMedianAndRange(ms, median, spread);
            if (m.getKey().startsWith("implicit")) {
                error.appendMissing(); // the reference itself (it matches finite differences: gradientTable)
            } else {
                error.append(relativeError(g, exact));
            }
        }
        return Table.create("dL/dW three ways: cost and accuracy (" + repeats + " runs each)", name, forward, taped,
                median, spread, error);
    }

    /** Repeated timings as a table shows them: the median, and "fastest-slowest" beside it. */
    private static void appendMedianAndRange(double[] ms, DoubleColumn median, StringColumn range) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        median.append(sorted[sorted.length / 2]);
        range.append(String.format("%.1f-%.1f", sorted[0], sorted[sorted.length - 1]));
    }

    private static double relativeError(double[] g, double[] exact) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < g.length; i++) {
            diff += (g[i] - exact[i]) * (g[i] - exact[i]);
            norm += exact[i] * exact[i];
        }
        return Math.sqrt(diff / norm);
    }

    /**
     * Anderson acceleration's two knobs on one problem: evaluations to reach {@code tol} for each memory m (rows)
     * and mixing beta (columns; 1 takes the mixed evaluations, smaller values stay closer to the mixed iterates);
     * -1 where the budget ran out.
     */
    public static Table andersonGrid(FixedPointMap f, NDList z0, int maxIter, double tol, int[] memories,
            double... betas) {
        IntColumn m = IntColumn.create("memory m");
        IntColumn[] evals = new IntColumn[betas.length];
        for (int b = 0; b < betas.length; b++) {
            evals[b] = IntColumn.create("beta = " + betas[b]);
        }
        for (int mem : memories) {
            m.append(mem);
            for (int b = 0; b < betas.length; b++) {
                SolverConfig c = SolverConfig.builder().solver(SolverKind.ANDERSON).maxIter(maxIter).tol(tol).m(mem)
                        .beta(betas[b]).build();
                try (SolverResult r = Solver.of(c).solve(f, z0)) {
                    evals[b].append(r.converged() ? r.iterations() : -1);
                }
            }
        }
        Table t = Table.create("Anderson: evaluations to " + tol + " (-1: not converged in " + maxIter + ")", m);
        t.addColumns(evals);
        return t;
    }

    /**
     * The Jacobian penalty at work: the same toy DEQ (radius {@code rho}) fitted to the same targets (seeded, uniform in
     * [-0.8, 0.8]: far from the small input, so the fit must strengthen W's feedback) once per penalty weight gamma.
     * Per gamma: the task loss reached, the radius of df/dz at z*, and each solver's evaluations to {@code tol}.
     */
    public static Table jacobianPenalty(NDManager manager, int dim, int batch, double rho, int steps, double lr,
            double tol, int maxIter, double... gammas) {
        java.util.Random r = new java.util.Random(1);
        double[] targets = new double[batch * dim];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = 0.8 * (2 * r.nextDouble() - 1);
        }
        DoubleColumn gamma = fixed("penalty weight gamma", "0.000");
        DoubleColumn loss = sci("task loss");
        DoubleColumn radius = fixed("radius of df/dz at z*", "0.0000");
        IntColumn[] evals = evaluationColumns();
        for (double g : gammas) {
            try (TanhDeq deq = TanhDeq.random(manager, dim, batch, rho, 0)) {
                gamma.append(g);
                loss.append(deq.fit(targets, g, steps, lr, 0));
                radius.append(Arrays.stream(deq.jacobianSpectralRadius(200)).max().orElse(Double.NaN));
                appendEvaluations(deq, maxIter, tol, evals);
            }
        }
        Table t = Table.create("fitted for " + steps + " steps with penalty gamma ||J||_F^2 / dim (-1: not converged in "
                + maxIter + ")", gamma, loss, radius);
        t.addColumns(evals);
        return t;
    }

    /** One column per solver for its evaluations to the tolerance. */
    private static IntColumn[] evaluationColumns() {
        IntColumn[] evals = new IntColumn[SolverKind.values().length];
        for (SolverKind k : SolverKind.values()) {
            evals[k.ordinal()] = IntColumn.create(k.key() + " evaluations");
        }
        return evals;
    }

    /** Each solver's evaluations to {@code tol} on the model, -1 where the budget ran out. */
    private static void appendEvaluations(TanhDeq deq, int maxIter, double tol, IntColumn[] evals) {
        for (SolverConfig c : allSolvers(maxIter, tol)) {
            try (SolverResult res = deq.solve(c)) {
                evals[c.solver().ordinal()].append(res.converged() ? res.iterations() : -1);
            }
        }
    }

    /** Contraction strength against solver effort: per rho, the Jacobian's spectral radius at z* and evaluations. */
    public static Table contractionTable(NDManager manager, int dim, int batch, double tol, int maxIter,
            double... rhos) {
        DoubleColumn rho = fixed("rho (radius of W)", "0.00");
        DoubleColumn radius = fixed("radius of df/dz at z*", "0.0000");
        IntColumn[] evals = evaluationColumns();
        for (double r : rhos) {
            try (TanhDeq deq = TanhDeq.random(manager, dim, batch, r, 0)) {
                rho.append(r);
                radius.append(Arrays.stream(deq.jacobianSpectralRadius(200)).max().orElse(Double.NaN));
                appendEvaluations(deq, maxIter, tol, evals);
            }
        }
        Table t = Table.create("contraction vs effort (-1: not converged in " + maxIter + ")", rho, radius);
        t.addColumns(evals);
        return t;
    }

    /**
     * Evaluations to convergence against rho, one line per solver; a run that did not converge is drawn at the budget
     * and crossed out in red ("budget spent, not converged"), so it cannot be read as a run that needed exactly that.
     */
    public static BufferedImage contractionPlot(Table contraction, int maxIter) {
        double[] x = contraction.doubleColumn(0).asDoubleArray();
        Map<String, double[]> series = new LinkedHashMap<>();
        List<double[]> failed = new ArrayList<>();
        for (SolverKind k : SolverKind.values()) {
            int[] e = contraction.intColumn(k.key() + " evaluations").asIntArray();
            series.put(k.key(), Arrays.stream(e).mapToDouble(v -> v < 0 ? maxIter : v).toArray());
            for (int i = 0; i < e.length; i++) {
                if (e[i] < 0) {
                    failed.add(new double[] {x[i], maxIter});
                }
            }
        }
        double[][] marks = {failed.stream().mapToDouble(p -> p[0]).toArray(),
            failed.stream().mapToDouble(p -> p[1]).toArray()};
        return Plots.xy("Evaluations to reach the tolerance", "rho (spectral radius of W)", "evaluations (log scale)",
                true, x, series, "not converged in " + maxIter, marks);
    }
}
