package org.get4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.EngineException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class EngineStartTest {
    /** Issue 19: the mixed CUDA build failed with "internal error (please report)" and a stack trace. */
    @Test
    void aFailedStartNamesTheCauseTheVersionsAndTheWayOut() {
        BundledLibTorch cuda = new BundledLibTorch("2.5.1-20241113", "cu124", "linux-x86_64", new String[0]);
        String message = TorchRuntime.startFailure(new EngineException("Failed to save pytorch index file",
                new IOException("Offline mode is enabled.")), cuda);
        assertTrue(message.startsWith("the PyTorch engine did not start: Offline mode is enabled. (DJL "), message);
        assertTrue(message.contains("built for libtorch " + Versions.pytorch()) && message.contains(
                "bundled: CUDA 12.4 libtorch 2.5.1-20241113") && message.contains("mvn -Pcuda package"), message);
        assertEquals(1, message.lines().count(), "one line");
    }

    @Test
    void theBundledBuildIsReadFromTheNativeJar() {
        BundledLibTorch lib = BundledLibTorch.find();
        assertTrue(lib != null && lib.version().startsWith(Versions.pytorch()), "the build's libtorch: " + lib);
        assertEquals(lib.isCuda() ? "CUDA" : "CPU", lib.describe().split(" ")[0]);
    }

    /** What get4j info prints per GPU, formatted without a GPU here. */
    @Test
    void gpuLinesNameTheCudaVersionMemoryAndCapability() {
        assertEquals("12.4", SystemReport.cudaVersion("124"));
        assertEquals("11.8", SystemReport.cudaVersion("118"));
        assertEquals("NVIDIA A100-SXM4-40GB, 39.4 GiB, compute capability 8.0",
                SystemReport.gpuLine("NVIDIA A100-SXM4-40GB", 42_314_694_656L, "80"));
    }
}
