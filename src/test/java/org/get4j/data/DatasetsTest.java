package org.get4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.get4j.Get4jException;
import org.get4j.io.Checksums;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
    @TempDir
    Path home;

    @Test
    void installRefusesAMismatchAndLeavesNothing() throws IOException {
        byte[] content = "not mnist".getBytes(StandardCharsets.UTF_8);
        String wrong = "0".repeat(64);
        Path target = home.resolve("mnist/train-images-idx3-ubyte");
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> DatasetFetcher.install(new ByteArrayInputStream(content), target, wrong, "test"));
        assertTrue(e.getMessage().contains(target.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(wrong) && e.getMessage().contains(Checksums.sha256(content)),
                e.getMessage());
        assertFalse(Files.exists(target));
        try (var files = Files.list(target.getParent())) {
            assertEquals(0, files.count(), "no temporary file may be left behind");
        }
    }

    @Test
    void installAcceptsAMatch() throws IOException {
        byte[] content = "payload".getBytes(StandardCharsets.UTF_8);
        Path target = home.resolve("x/file");
        DatasetFetcher.install(new ByteArrayInputStream(content), target, Checksums.sha256(content), "test");
        assertArrayEquals(content, Files.readAllBytes(target));
    }

    @Test
    void verifyReportsMissingAndCorruptFiles() throws IOException {
        Path dir = Files.createDirectories(home.resolve("mnist"));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), Idx.encode(new int[] {1}, new byte[] {3}));
        List<Datasets.FileCheck> checks = Datasets.verify(home, Dataset.MNIST);
        assertEquals(Datasets.Status.MISSING, checks.get(0).status());
        assertEquals(Datasets.Status.CORRUPT, checks.get(1).status());
        assertTrue(checks.get(1).toString().contains(Dataset.MNIST.files().get(1).sha256()));
        assertFalse(Datasets.isComplete(home, Dataset.MNIST));
    }

    @Test
    void loadingACorruptFileFailsWithItsName() throws IOException {
        Path dir = Files.createDirectories(home.resolve("mnist"));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), Idx.encode(new int[] {1, 1, 1}, new byte[] {0}));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), Idx.encode(new int[] {1}, new byte[] {0}));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> Datasets.load(home, Dataset.MNIST, Dataset.Split.TEST));
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte") && e.getMessage().contains("SHA-256"),
                e.getMessage());
    }

    @Test
    void loadingAMissingDatasetSaysHowToFetchIt() {
        Get4jException e = assertThrows(Get4jException.class,
                () -> Datasets.load(home, Dataset.FASHION_MNIST, Dataset.Split.TRAIN));
        assertTrue(e.getMessage().contains("data fetch fashion-mnist"), e.getMessage());
    }

    @Test
    void fetchFromAFolderRejectsTamperedFiles() throws IOException {
        Path from = Files.createDirectories(home.resolve("from"));
        for (Dataset.DataFile f : Dataset.FASHION_MNIST.files()) {
            Files.write(from.resolve(f.name()), Idx.encode(new int[] {1}, new byte[] {1}));
        }
        DatasetFetcher fetcher = new DatasetFetcher(home.resolve("home"), line -> { });
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> fetcher.fetch(Dataset.FASHION_MNIST, from));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage());
        assertFalse(Files.exists(home.resolve("home/fashion-mnist/train-images-idx3-ubyte")));
    }

    /** The real MNIST, when fetched (the README's test command fetches it first). */
    @Test
    void realMnistHasTheCanonicalClassCounts() {
        Path real = DataHome.resolve();
        assumeTrue(Datasets.isComplete(real, Dataset.MNIST), "MNIST not fetched under " + real);
        ImageSet train = Datasets.load(real, Dataset.MNIST, Dataset.Split.TRAIN);
        assertEquals(60000, train.size());
        assertEquals(28, train.height());
        assertArrayEquals(new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949},
                train.classCounts(10));
        assertEquals(10000, Datasets.load(real, Dataset.MNIST, Dataset.Split.TEST).size());
    }
}
