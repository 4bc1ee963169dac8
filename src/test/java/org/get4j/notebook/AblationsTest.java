package org.get4j.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class AblationsTest {
    @Test
    void barNamesLoseTheFolderTheyShare() {
        assertEquals("sweep-depth-l2-2000-800/", Ablations.commonFolder(List.of("sweep-depth-l2-2000-800/get-1-1",
                "sweep-depth-l2-2000-800/vit-6-params")));
        assertEquals("", Ablations.commonFolder(List.of("mnist/get-mini", "mnist-ref/get-mini")));
        assertEquals("", Ablations.commonFolder(List.of("a/b", "a/")), "no name is left empty");
    }

    /** Notebook 06 charts one sample count at a time: FDs at n = 2,000 and 10,000 are not comparable. */
    @Test
    void resultBarsRefuseMixedSampleCounts() {
        Table runs = Table.create("runs", StringColumn.create("run", "a/x", "a/y"), StringColumn.create("metric",
                "FD-LeNet-MNIST", "FD-LeNet-MNIST"), IntColumn.create("n", 2000, 10000),
                DoubleColumn.create("FD test", 98.4, 70.0), DoubleColumn.create("FD low", 95.1, Double.NaN),
                DoubleColumn.create("FD high", 101.9, Double.NaN), DoubleColumn.create("floor", 3.6, 1.4));
        assertThrows(IllegalArgumentException.class, () -> Ablations.resultBars(runs, Double.NaN));
        Table one = runs.where(runs.intColumn("n").isEqualTo(2000));
        assertEquals(760, Ablations.resultBars(one, 34.0).getWidth());
    }
}
