package org.get4j.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import org.get4j.deq.SolverConfig;
import org.get4j.deq.SolverResult;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class DeqLabTest {
    @Test
    void gradientCostsCountTheTapeOfEachMethodAndFullBackpropConvergesToTheImplicitGradient() {
        try (NDManager m = TorchRuntime.newManager(); TanhDeq deq = TanhDeq.random(m, 6, 2, 0.5, 3)) {
            Table t = DeqLab.gradientCosts(deq, 80, 4, 3);
            // implicit keeps one call of f, phantom its k steps, full backprop every iteration
            assertEquals(1, t.intColumn("f calls kept for backward").get(0));
            assertEquals(4, t.intColumn("f calls kept for backward").get(1));
            assertEquals(80, t.intColumn("f calls kept for backward").get(2));
            assertEquals(80, t.intColumn("f calls").get(2));
            assertTrue(t.doubleColumn("rel. error vs implicit").isMissing(0), "the implicit row is the reference");
            // 80 iterations at radius <= 0.5 converge far below 1e-10; 4 phantom steps leave about 0.5^4
            assertTrue(t.doubleColumn("rel. error vs implicit").get(2) < 1e-9, t.printAll());
            assertTrue(t.doubleColumn("rel. error vs implicit").get(1) > 1e-3, t.printAll());
        }
    }

    @Test
    void theSolverRaceReportsTheFirstSolveAndTheMedianTimeWithItsRange() {
        try (NDManager m = TorchRuntime.newManager(); TanhDeq deq = TanhDeq.random(m, 16, 3, 0.9, 0);
                SolverResult plain = deq.solve(SolverConfig.builder().maxIter(400).tol(1e-8).build())) {
            DeqLab.Race race = DeqLab.solverRace(deq.map(), deq.zeros(), DeqLab.allSolvers(400, 1e-8));
            Table t = race.table();
            assertEquals(java.util.List.of("fixed_point", "anderson", "broyden"), t.stringColumn("solver").asList());
            assertEquals(plain.iterations(), t.intColumn("evaluations").get(0), "the first solve's count: " + t.printAll());
            for (int i = 0; i < t.rowCount(); i++) {
                String[] range = t.stringColumn("time range (ms)").get(i).split("-");
                double median = t.doubleColumn("time (ms, median)").get(i);
                double low = Double.parseDouble(range[0]);
                double high = Double.parseDouble(range[1]);
                // the median of the timed solves lies within their range (rounded to 0.1 ms as printed)
                assertTrue(low - 0.05 <= median && median <= high + 0.05, t.printAll());
                assertTrue(t.booleanColumn("converged").get(i), t.printAll());
            }
            assertEquals(3, race.traces().size());
        }
    }

    @Test
    void andersonWithMemoryOneIsPlainIterationAndMoreMemoryNeedsFewerEvaluations() {
        try (NDManager m = TorchRuntime.newManager(); TanhDeq deq = TanhDeq.random(m, 16, 3, 0.95, 0);
                SolverResult plain = deq.solve(SolverConfig.builder().maxIter(400).tol(1e-8).build())) {
            Table t = DeqLab.andersonGrid(deq.map(), deq.zeros(), 400, 1e-8, new int[] {1, 5}, 1.0);
            assertEquals(plain.iterations(), t.intColumn(1).get(0), t.printAll());
            assertTrue(t.intColumn(1).get(1) > 0 && t.intColumn(1).get(1) < plain.iterations(), t.printAll());
        }
    }

    @Test
    void theJacobianPenaltyTradesFitForContraction() {
        try (NDManager m = TorchRuntime.newManager()) {
            Table t = DeqLab.jacobianPenalty(m, 8, 2, 0.9, 20, 0.5, 1e-6, 500, 0, 3);
            double[] loss = t.doubleColumn("task loss").asDoubleArray();
            double[] radius = t.doubleColumn("radius of df/dz at z*").asDoubleArray();
            assertTrue(radius[1] < radius[0] - 0.05, t.printAll());
            assertTrue(loss[1] > loss[0], t.printAll());
            for (String solver : new String[] {"fixed_point", "anderson", "broyden"}) {
                assertTrue(t.intColumn(solver + " evaluations").get(1) < t.intColumn(solver + " evaluations").get(0),
                        solver + "\n" + t.printAll());
            }
        }
    }

    @Test
    void fittingLowersTheTaskLoss() {
        try (NDManager m = TorchRuntime.newManager(); TanhDeq deq = TanhDeq.random(m, 4, 1, 0.5, 2)) {
            double[] targets = {0.3, -0.2, 0.1, 0.4};
            double first = deq.fit(targets, 0, 1, 0.5, 0);
            double later = deq.fit(targets, 0, 30, 0.5, 0);
            assertTrue(later < 0.7 * first, first + " -> " + later);
        }
    }
}
