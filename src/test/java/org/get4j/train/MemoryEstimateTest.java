package org.get4j.train;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.get4j.InvalidValueException;
import org.get4j.model.Presets;
import org.junit.jupiter.api.Test;

class MemoryEstimateTest {
    private static double gib(MemoryEstimate e, int batch) {
        return e.bytes(batch) / (double) (1L << 30);
    }

    /** The bench's peak RSS (README, Performance): 4.9 GiB for GET-Mini at 128, 10.5 GiB for GET-T at 16. */
    @Test
    void meetsTheBenchReadingsWithin30Percent() {
        double mini = gib(MemoryEstimate.of(Presets.get("GET-Mini", 0), TrainConfig.reference(1, 128)), 128);
        double tiny = gib(MemoryEstimate.of(Presets.get("GET-T", 0), TrainConfig.reference(1, 16)), 16);
        assertTrue(mini > 4.9 / 1.3 && mini < 4.9 * 1.3, "GET-Mini at 128: " + mini + " GiB");
        assertTrue(tiny > 10.5 / 1.3 && tiny < 10.5 * 1.3, "GET-T at 16: " + tiny + " GiB");
    }

    @Test
    void growsWithTheBatchAndTheSupervisedStates() {
        MemoryEstimate six = MemoryEstimate.of(Presets.get("GET-Mini", 0), TrainConfig.reference(1, 8));
        MemoryEstimate one = MemoryEstimate.of(Presets.get("GET-Mini", 0),
                TrainConfig.reference(1, 8).toBuilder().unroll(1).build());
        assertEquals(six.bytes(20) - six.bytes(10), 10 * six.bytesPerSample());
        assertTrue(six.bytesPerSample() > 2 * one.bytesPerSample(), "6 unrolled states keep more than 1");
    }

    /** Issue 18, item 2: a batch that cannot fit is refused with the estimate, before anything is allocated. */
    @Test
    void aBatchThatCannotFitIsRefusedWithTheEstimate() {
        MemoryEstimate e = MemoryEstimate.of(Presets.get("GET-Mini", 0), TrainConfig.reference(1, 8));
        InvalidValueException refused = assertThrows(InvalidValueException.class, () -> e.requireFits(100_000, 8192));
        assertEquals("batch", refused.setting());
        long fits = e.largestBatch(8192);
        assertTrue(refused.getMessage().contains("at most about " + fits + " here") && refused.getMessage()
                .contains("GiB is available"), refused.getMessage());
        assertDoesNotThrow(() -> e.requireFits((int) fits, 8192));
        assertThrows(InvalidValueException.class, () -> e.requireFits((int) fits + 1, 8192));
        assertDoesNotThrow(() -> e.requireFits(100_000, -1), "unknown memory: no guess");
    }
}
