package org.get4j.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunsTest {
    @TempDir
    Path dir;

    @Test
    void theLossPlotIsTitledWithTheDistanceTheRunRecorded() throws Exception {
        Path run = dir.resolve("run.json");
        assertEquals("loss", Runs.distance(run), "no record: a neutral title");
        Files.writeString(run, "{\"train\": {\"distance\": \"L2\", \"steps\": 4}}");
        assertEquals("L2", Runs.distance(run));
        Files.writeString(run, "{\"train\": ");
        assertEquals("loss", Runs.distance(run), "a damaged record is not an error for a plot title");
    }
}
