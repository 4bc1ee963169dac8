package org.get4j.notebook;

import org.get4j.data.Dataset;
import org.get4j.data.ImageSet;
import org.get4j.pairs.PairManifest;
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

    /**
     * The training split's class counts, refused unless they are the ones the dataset's authors publish: a check that
     * fails loudly instead of a table a reader has to compare by eye.
     */
    public static Table checkedClassCounts(ImageSet train, Dataset dataset) {
        int[] ours = train.classCounts(Dataset.CLASSES);
        int[] published = dataset.trainClassCounts();
        if (!java.util.Arrays.equals(ours, published)) {
            throw new org.get4j.Get4jException(train.name() + " has class counts " + java.util.Arrays.toString(ours)
                    + ", not the published " + java.util.Arrays.toString(published) + " of " + dataset.title());
        }
        return classCounts(train);
    }

    /** The shards of a pair store: file, first seed, pairs, SHA-256 (shortened). */
    public static Table manifest(PairManifest m) {
        tech.tablesaw.api.StringColumn file = tech.tablesaw.api.StringColumn.create("shard");
        tech.tablesaw.api.LongColumn first = tech.tablesaw.api.LongColumn.create("first seed");
        IntColumn count = IntColumn.create("pairs");
        tech.tablesaw.api.StringColumn sha = tech.tablesaw.api.StringColumn.create("sha256");
        for (var s : m.shards()) {
            file.append(s.file());
            first.append(s.firstSeed());
            count.append(s.count());
            sha.append(s.sha256().substring(0, 16) + "...");
        }
        return Table.create("pair store: " + m.count() + " pairs, teacher " + m.teacher(), file, first, count, sha);
    }

    /** A training run's metrics.csv as a table. */
    public static Table metrics(java.nio.file.Path csv) {
        return Table.read().csv(csv.toFile());
    }
}
