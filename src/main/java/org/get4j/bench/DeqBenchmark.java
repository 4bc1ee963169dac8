package org.get4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.get4j.deq.FixedPointMap;
import org.get4j.deq.Solver;
import org.get4j.deq.SolverConfig;
import org.get4j.deq.SolverKind;
import org.get4j.deq.SolverResult;
import org.get4j.deq.StopMode;
import org.get4j.nn.GetBlock;
import org.get4j.runtime.Torch;

/**
 * Solver cost on a GET-sized equilibrium map: f(z) = B3(B2(B1(z, u1), u2), u3), three freshly initialised GET
 * blocks with a random injection per block. For each solver: evaluations and wall time to reach the tolerance,
 * and the solver's own overhead (time outside f) as a share of the time inside f.
 */
public final class DeqBenchmark {
    /** Sizes of the benchmark; the defaults are GET-T's equilibrium block at batch 16. */
    public record Settings(int width, int heads, double mlpRatio, int tokens, int blocks, int batch, double tol,
            StopMode stopMode, int maxIter, int repeats, long seed) {
        public static Settings getT() {
            return new Settings(256, 4, 6, 256, 3, 16, 1e-2, StopMode.REL, 40, 3, 0);
        }
    }

    /** One solver's measurements (medians over repeats). */
    public record Row(String solver, int iterations, double residual, boolean converged, double seconds,
            double secondsInF, double overhead, double gflops) {}

    private DeqBenchmark() {}

    public static List<Row> run(NDManager manager, Settings s, List<SolverKind> solvers) {
        List<Row> rows = new ArrayList<>();
        try (NDManager m = manager.newSubManager(); Torch.GradMode noGrad = Torch.noGrad()) {
            m.getEngine().setRandomSeed((int) s.seed());
            List<GetBlock> blocks = new ArrayList<>();
            List<NDArray> injections = new ArrayList<>();
            Shape state = new Shape(s.batch(), s.tokens(), s.width());
            for (int j = 0; j < s.blocks(); j++) {
                GetBlock block = new GetBlock(s.width(), s.heads(), s.mlpRatio());
                block.initialize(m, DataType.FLOAT32, state, new Shape(s.batch(), s.tokens(), 3L * s.width()));
                blocks.add(block);
                injections.add(m.randomNormal(0, 0.5f, new Shape(s.batch(), s.tokens(), 3L * s.width()),
                        DataType.FLOAT32));
            }
            ParameterStore ps = new ParameterStore(m, false);
            long[] fNanos = new long[1];
            FixedPointMap f = z -> {
                long t0 = System.nanoTime();
                NDArray x = z.singletonOrThrow();
                for (int j = 0; j < blocks.size(); j++) {
                    x = blocks.get(j).forward(ps, new NDList(x, injections.get(j)), false).singletonOrThrow();
                }
                x.toFloatArray(); // wait for the result so the time is spent inside f, not later
                fNanos[0] += System.nanoTime() - t0;
                return new NDList(x);
            };
            NDArray z0 = m.randomNormal(state);
            long macsPerEval = s.blocks() * GetBlock.macs(s.tokens(), s.width(), s.mlpRatio()) * s.batch();
            // warm-up: one evaluation, so allocation and kernel selection are not timed
            f.apply(new NDList(z0)).close();
            for (SolverKind kind : solvers) {
                SolverConfig c = SolverConfig.builder().solver(kind).maxIter(s.maxIter()).tol(s.tol())
                        .stopMode(s.stopMode()).build();
                double[] total = new double[s.repeats()];
                double[] inF = new double[s.repeats()];
                SolverResult last = null;
                for (int r = 0; r < s.repeats(); r++) {
                    fNanos[0] = 0;
                    if (last != null) {
                        last.close();
                    }
                    last = Solver.of(c).solve(f, new NDList(z0));
                    total[r] = last.nanos() / 1e9;
                    inF[r] = fNanos[0] / 1e9;
                }
                double seconds = median(total);
                double secondsInF = median(inF);
                rows.add(new Row(kind.key(), last.iterations(), last.maxResidual(s.stopMode()), last.converged(),
                        seconds, secondsInF, (seconds - secondsInF) / secondsInF,
                        2.0 * macsPerEval * last.iterations() / secondsInF / 1e9));
                last.close();
            }
        }
        return rows;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** The rows as a Markdown table. */
    public static String markdown(Settings s, List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("Equilibrium map: %d GET blocks, width %d, %d heads, MLP ratio %.0f, %d tokens, batch %d; "
                + "tolerance %.0e (%s), at most %d evaluations; medians of %d runs.%n%n", s.blocks(), s.width(),
                s.heads(), s.mlpRatio(), s.tokens(), s.batch(), s.tol(), s.stopMode().name().toLowerCase(),
                s.maxIter(), s.repeats()));
        sb.append("| solver | evaluations | residual | converged | time (s) | time in f (s) | solver overhead | GFLOP/s in f |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append(String.format("| %s | %d | %.2e | %s | %.3f | %.3f | %.1f%% | %.1f |%n", r.solver(),
                    r.iterations(), r.residual(), r.converged() ? "yes" : "no", r.seconds(), r.secondsInF(),
                    100 * r.overhead(), r.gflops()));
        }
        return sb.toString();
    }

    /** The rows as CSV with a header line. */
    public static String csv(List<Row> rows) {
        StringBuilder sb = new StringBuilder("solver,evaluations,residual,converged,seconds,seconds_in_f,overhead,gflops_in_f\n");
        for (Row r : rows) {
            sb.append(String.format("%s,%d,%.6e,%s,%.6f,%.6f,%.6f,%.3f%n", r.solver(), r.iterations(), r.residual(),
                    r.converged(), r.seconds(), r.secondsInF(), r.overhead(), r.gflops()));
        }
        return sb.toString();
    }
}
