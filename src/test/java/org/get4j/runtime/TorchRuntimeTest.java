package org.get4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import org.get4j.Get4jException;
import org.junit.jupiter.api.Test;

class TorchRuntimeTest {
    @Test
    void engineStartsOfflineWithTrackingOptedOut() {
        try (NDManager m = TorchRuntime.newManager(Device.cpu())) {
            assertEquals(6f, m.create(new float[] {1, 2, 3}).sum().getFloat());
        }
        assertEquals("true", System.getProperty("ai.djl.offline"));
        assertEquals("true", System.getProperty("OPT_OUT_TRACKING"));
    }

    @Test
    void deviceNames() {
        assertEquals(Device.cpu(), TorchRuntime.device("cpu"));
        assertEquals(Device.cpu(), TorchRuntime.device(" CPU "));
        Get4jException unknown = assertThrows(Get4jException.class, () -> TorchRuntime.device("tpu"));
        assertTrue(unknown.getMessage().contains("tpu"));
        int gpus = TorchRuntime.engine().getGpuCount();
        Get4jException noGpu = assertThrows(Get4jException.class, () -> TorchRuntime.device("gpu:" + gpus));
        assertTrue(noGpu.getMessage().contains("GPU"));
    }

    @Test
    void threadsAreSettable() {
        int before = TorchRuntime.threads();
        try {
            TorchRuntime.setThreads(1);
            assertEquals(1, TorchRuntime.threads());
        } finally {
            TorchRuntime.setThreads(before);
        }
        assertThrows(Get4jException.class, () -> TorchRuntime.parseThreads("0", "GET4J_THREADS"));
        assertThrows(Get4jException.class, () -> TorchRuntime.parseThreads("two", "GET4J_THREADS"));
    }
}
