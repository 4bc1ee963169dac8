package org.get4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.get4j.data.Idx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path dir;

    @Test
    void helpListsTheCommands() {
        CliRun r = CliRun.of("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("info") && r.out().contains("data"), r.out());
        assertEquals(0, CliRun.of("data", "fetch", "--help").code());
    }

    @Test
    void unknownOptionIsOneLineAndExitTwo() {
        CliRun r = CliRun.of("info", "--bogus");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("--bogus"), r.err());
    }

    @Test
    void sparkWithoutTheSparkModuleSaysHowToGetIt() {
        CliRun r = CliRun.of("pairs", "generate", "--spark", "--teacher", "gmm:mnist", "--seeds", "0-9", "--out",
                "hdfs://cluster/pairs");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--spark needs get4j-spark on the classpath"), r.err());
        CliRun fd = CliRun.of("fd", "samples.npy", "mnist:test", "--spark");
        assertEquals(1, fd.code());
        assertTrue(fd.err().contains("--spark needs get4j-spark"), fd.err());
    }

    /** Issue 18, item 7: a third input was silently taken; it is a usage error that names it. */
    @Test
    void fdWithThreeInputsIsAUsageError() {
        CliRun r = CliRun.of("fd", "a.npy", "b.npy", "c.npy");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("c.npy"), r.err());
    }

    @Test
    void unknownDatasetIsAUsageError() {
        CliRun r = CliRun.of("data", "verify", "cifar100");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown dataset 'cifar100'"), r.err());
    }

    @Test
    void verifyFailsOnCorruptAndMissingFiles() throws Exception {
        Path mnist = Files.createDirectories(dir.resolve("mnist"));
        Files.write(mnist.resolve("train-images-idx3-ubyte"), Idx.encode(new int[] {1, 1, 1}, new byte[] {9}));
        CliRun r = CliRun.of("data", "verify", "mnist", "--data-dir", dir.toString());
        assertEquals(1, r.code());
        assertTrue(r.out().contains("CORRUPT") && r.out().contains("missing"), r.out());
        assertTrue(r.err().contains("4 file(s) not verified"), r.err());
    }

    @Test
    void infoReportsEngineAndData() {
        CliRun r = CliRun.of("info");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("PyTorch") && r.out().contains("offline") && r.out().contains("mnist"), r.out());
    }
}
