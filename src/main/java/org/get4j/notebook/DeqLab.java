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

    /** Solvers run on the same problem: a table of costs and the mean residual trace of each. */
    public record Race(Table table, Map<String, double[]> traces) {
        public BufferedImage plot() {
            return Plots.lines("Residual ||f(z) - z|| (batch mean)", "evaluations of f", "residual", true, traces);
        }
    }

    public static Race solverRace(FixedPointMap f, NDList z0, List<SolverConfig> configs) {
        StringColumn name = StringColumn.create("solver");
        IntColumn evaluations = IntColumn.create("evaluations");
        DoubleColumn residual = sci("max residual");
        BooleanColumn converged = BooleanColumn.create("converged");
        DoubleColumn ms = fixed("time (ms)", "0.0");
        Map<String, double[]> traces = new LinkedHashMap<>();
        for (SolverConfig c : configs) {
            try (SolverResult r = Solver.of(c).solve(f, z0)) {
                name.append(c.solver().key());
                evaluations.append(r.iterations());
                residual.append(r.maxResidual(c.stopMode()));
                converged.append(r.converged());
                ms.append(r.nanos() / 1e6);
                traces.put(c.solver().key(), r.meanTrace(c.stopMode()));
            }
        }
        return new Race(Table.create("solvers on the same fixed-point problem", name, evaluations, residual, converged,
                ms), traces);
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

    /** Contraction strength against solver effort: per rho, the Jacobian's spectral radius at z* and evaluations. */
    public static Table contractionTable(NDManager manager, int dim, int batch, double tol, int maxIter,
            double... rhos) {
        DoubleColumn rho = fixed("rho (radius of W)", "0.00");
        DoubleColumn radius = fixed("radius of df/dz at z*", "0.0000");
        IntColumn[] evals = new IntColumn[SolverKind.values().length];
        for (SolverKind k : SolverKind.values()) {
            evals[k.ordinal()] = IntColumn.create(k.key() + " evaluations");
        }
        for (double r : rhos) {
            try (TanhDeq deq = TanhDeq.random(manager, dim, batch, r, 0)) {
                rho.append(r);
                radius.append(Arrays.stream(deq.jacobianSpectralRadius(200)).max().orElse(Double.NaN));
                for (SolverConfig c : allSolvers(maxIter, tol)) {
                    try (SolverResult res = deq.solve(c)) {
                        evals[c.solver().ordinal()].append(res.converged() ? res.iterations() : -1);
                    }
                }
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
