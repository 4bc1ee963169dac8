package org.get4j.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.get4j.Get4jException;
import org.get4j.data.Dataset;
import org.get4j.data.Datasets;
import org.get4j.data.ImageSet;
import org.junit.jupiter.api.Test;

class TablesTest {
    /** Notebook 00's check: MNIST's training split has the published class counts; anything else is refused. */
    @Test
    void classCountsAreCheckedAgainstThePublishedOnes() {
        ImageSet train = Datasets.load(Dataset.MNIST, Dataset.Split.TRAIN);
        assertEquals(6742, Tables.checkedClassCounts(train, Dataset.MNIST).intColumn("count").get(1));
        ImageSet two = new ImageSet("two digits", new byte[2], new int[] {1, 7}, 1, 1, 1);
        Get4jException e = assertThrows(Get4jException.class, () -> Tables.checkedClassCounts(two, Dataset.MNIST));
        assertTrue(e.getMessage().contains("two digits has class counts [0, 1, 0, 0, 0, 0, 0, 1, 0, 0]")
                && e.getMessage().contains("published [5923, 6742"), e.getMessage());
    }
}
