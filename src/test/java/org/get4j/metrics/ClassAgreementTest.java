package org.get4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.get4j.Get4jException;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;

class ClassAgreementTest {
    @Test
    void wilsonIntervalMatchesTheClosedForm() {
        // 8 of 10: p = 0.8, z^2 = 3.8415; centre (0.8 + 0.19207) / 1.38415, half 1.41601 * sqrt(0.016 + 0.0096037)
        ClassAgreement.Share s = ClassAgreement.Share.of(8, 10);
        assertEquals(0.8, s.share(), 1e-12);
        assertEquals(0.49016, s.low(), 1e-4);
        assertEquals(0.94334, s.high(), 1e-4);
        // all agreeing: the interval reaches 1 and stays below it on the other side
        ClassAgreement.Share all = ClassAgreement.Share.of(50, 50);
        assertEquals(1.0, all.high(), 1e-12);
        assertEquals(50 / (50 + 3.8414588), all.low(), 1e-6);
        assertEquals("80.0% [49.0, 94.3]", s.toString());
    }

    @Test
    void countsTheArgmaxAgainstEachSamplesLabelOverallAndPerClass() {
        try (NDManager m = TorchRuntime.newManager()) {
            ClassAgreement tally = new ClassAgreement(new long[] {0, 1, 2, 2, 1}, 3);
            // batch 1: samples 0-2, predicted 0, 2, 2; batch 2: samples 3-4, predicted 2, 1
            tally.count(0, m.create(new float[] {.9f, .05f, .05f, .1f, .2f, .7f, 0, 0, 1}, new Shape(3, 3)));
            tally.count(3, m.create(new float[] {.2f, .3f, .5f, .1f, .8f, .1f}, new Shape(2, 3)));
            assertEquals(5, tally.samples());
            assertEquals(4, tally.agreed());
            assertEquals(1.0, tally.ofClass(0).share());
            assertEquals(0.5, tally.ofClass(1).share());
            assertEquals(1.0, tally.ofClass(2).share());
            assertThrows(Get4jException.class, () -> tally.count(0, m.create(new float[] {1, 0}, new Shape(1, 2))));
        }
        assertThrows(Get4jException.class, () -> new ClassAgreement(new long[] {3}, 3));
    }

    /** Rows of probabilities (one pass of the classifier, kept on the host) count as the same tensor does. */
    @Test
    void probabilityRowsCountAsTheTensorDoes() {
        double[][] rows = {{.9, .05, .05}, {.1, .2, .7}, {0, 0, 1}, {.2, .3, .5}, {.1, .8, .1}};
        ClassAgreement fromRows = new ClassAgreement(new long[] {0, 1, 2, 2, 1}, 3);
        fromRows.count(0, java.util.Arrays.copyOfRange(rows, 0, 3));
        fromRows.count(3, java.util.Arrays.copyOfRange(rows, 3, 5));
        assertEquals(5, fromRows.samples());
        assertEquals(4, fromRows.agreed());
        assertEquals(0.5, fromRows.ofClass(1).share());
        assertThrows(Get4jException.class, () -> fromRows.count(0, new double[][] {{1, 0}}));
        assertThrows(Get4jException.class, () -> fromRows.count(4, java.util.Arrays.copyOfRange(rows, 0, 2)));
    }
}
