package org.get4j.notebook;

import org.get4j.data.Dataset;
import org.get4j.data.ImageSet;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

/** Tablesaw tables that notebooks show. */
public final class Tables {
    private Tables() {}

    /** One row per class: label and number of images. */
    public static Table classCounts(ImageSet set) {
        int[] counts = set.classCounts(Dataset.CLASSES);
        int[] labels = new int[counts.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i;
        }
        return Table.create(set.name() + " class counts",
                IntColumn.create("label", labels), IntColumn.create("count", counts));
    }
}
