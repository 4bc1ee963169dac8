package org.get4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.get4j.Get4jException;
import org.get4j.io.HostTensor;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {
    @TempDir
    Path dir;

    private static ModelConfig small() {
        return ModelConfig.get(16, 1, 4, 32, 4, 1, 3, 2, 3);
    }

    @Test
    void strictLoadingListsEveryProblemInOneError() {
        try (NDManager m = TorchRuntime.newManager()) {
            Generator g = Generator.create(small(), m);
            Map<String, HostTensor> sd = new LinkedHashMap<>();
            g.stateDict().forEach((k, p) -> sd.put(k, HostTensor.of(p.getArray())));
            sd.remove("qkv_inj.weight");
            sd.put("blocks.7.norm1.weight", HostTensor.ofFloats(new float[32], 32));
            sd.put("final_layer.linear.bias", HostTensor.ofFloats(new float[5], 5));
            Get4jException e = assertThrows(Get4jException.class, () -> Checkpoints.loadStateDict(g, sd, "x.pth", true));
            String msg = e.getMessage();
            assertTrue(msg.contains("missing keys [qkv_inj.weight]"), msg);
            assertTrue(msg.contains("unexpected keys [blocks.7.norm1.weight]"), msg);
            assertTrue(msg.contains("'final_layer.linear.bias' has shape (5)"), msg);
        }
    }

    @Test
    void get4jCheckpointsRoundTripWithTheirConfigAndDetectCorruption() throws Exception {
        Path file = dir.resolve("model.safetensors");
        try (NDManager m = TorchRuntime.newManager()) {
            Generator g = Generator.create(small(), m);
            Generator ema = Generator.create(small(), m);
            Checkpoints.save(file, g, ema, Map.of("step", "12"));
            Generator back = Checkpoints.load(file, m, null, Checkpoints.Weights.MODEL);
            assertEquals(small(), back.config());
            for (var e : g.stateDict().entrySet()) {
                assertArrayEquals(e.getValue().getArray().toFloatArray(),
                        back.stateDict().get(e.getKey()).getArray().toFloatArray(), 0f, e.getKey());
            }
            Generator backEma = Checkpoints.load(file, m, small(), Checkpoints.Weights.EMA);
            assertArrayEquals(ema.stateDict().get("qkv_inj.weight").getArray().toFloatArray(),
                    backEma.stateDict().get("qkv_inj.weight").getArray().toFloatArray(), 0f);
            Get4jException other = assertThrows(Get4jException.class,
                    () -> Checkpoints.load(file, m, small().withClasses(0), Checkpoints.Weights.EMA));
            assertTrue(other.getMessage().contains("not the requested"), other.getMessage());
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 3] ^= 0x40;
        Path corrupt = Files.write(dir.resolve("corrupt.safetensors"), bytes);
        try (NDManager m = TorchRuntime.newManager()) {
            Get4jException e = assertThrows(Get4jException.class,
                    () -> Checkpoints.load(corrupt, m, null, Checkpoints.Weights.EMA));
            assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        }
    }

    /** An export keeps the EMA weights alone (as model weights) with the source's metadata, and nothing to resume. */
    @Test
    void anExportKeepsTheEmaWeightsAloneAndLoadsLikeTheCheckpoint() throws Exception {
        Path file = dir.resolve("checkpoint.safetensors");
        Path out = dir.resolve("shipped.safetensors");
        try (NDManager m = TorchRuntime.newManager()) {
            Generator g = Generator.create(small(), m);
            Generator ema = Generator.create(small(), m);
            ema.stateDict().values().forEach(p -> p.getArray().addi(0.25f)); // the two differ everywhere
            Map<String, HostTensor> opt = Map.of("opt.m.0", HostTensor.ofFloats(new float[4], 4));
            Checkpoints.save(file, g, ema, opt, Map.of("step", "12", "opt.steps", "12"));
            Checkpoints.exportWeights(file, out, Checkpoints.Weights.EMA);

            var contents = org.get4j.io.SafeTensors.read(out);
            assertTrue(contents.tensors().keySet().stream().allMatch(k -> k.startsWith("model.")),
                    contents.tensors().keySet().toString());
            assertEquals(ema.stateDict().size(), contents.tensors().size(), "every weight, no optimiser state");
            assertEquals("12", contents.metadata().get("step"));
            assertEquals(null, contents.metadata().get("opt.steps"));
            assertTrue(contents.metadata().get("get4j.weights").startsWith("ema weights of checkpoint.safetensors"));
            for (Checkpoints.Weights w : Checkpoints.Weights.values()) { // EMA falls back to the only weights there are
                Generator back = Checkpoints.load(out, m, null, w);
                for (var e : ema.stateDict().entrySet()) {
                    assertArrayEquals(e.getValue().getArray().toFloatArray(),
                            back.stateDict().get(e.getKey()).getArray().toFloatArray(), 0f, e.getKey());
                }
            }

            Checkpoints.exportWeights(file, dir.resolve("model.safetensors"), Checkpoints.Weights.MODEL);
            Generator model = Checkpoints.load(dir.resolve("model.safetensors"), m, null, Checkpoints.Weights.EMA);
            assertArrayEquals(g.stateDict().get("qkv_inj.weight").getArray().toFloatArray(),
                    model.stateDict().get("qkv_inj.weight").getArray().toFloatArray(), 0f);
        }
        Path notOne = Files.writeString(dir.resolve("notes.txt"), "hello");
        Get4jException e = assertThrows(Get4jException.class,
                () -> Checkpoints.exportWeights(notOne, out, Checkpoints.Weights.EMA));
        assertTrue(e.getMessage().contains(notOne.toString()), e.getMessage());
    }

    @Test
    void referenceCheckpointsNeedAConfig() {
        try (NDManager m = TorchRuntime.newManager()) {
            Path pth = TorchFileFixtures.path("get_p2.pth");
            Get4jException e = assertThrows(Get4jException.class,
                    () -> Checkpoints.load(pth, m, null, Checkpoints.Weights.EMA));
            assertTrue(e.getMessage().contains("--model"), e.getMessage());
            Get4jException wrong = assertThrows(Get4jException.class,
                    () -> Checkpoints.load(pth, m, small(), Checkpoints.Weights.EMA));
            assertTrue(wrong.getMessage().contains("missing keys") || wrong.getMessage().contains("shape"));
        }
    }
}
