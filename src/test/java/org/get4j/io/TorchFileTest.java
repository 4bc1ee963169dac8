package org.get4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.get4j.Get4jException;
import org.get4j.io.HostTensor;
import org.get4j.io.TensorDType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against files written by PyTorch 1.13 (src/test/resources/fixtures/torch/make_fixtures.py). */
class TorchFileTest {
    @TempDir
    Path dir;

    static Path fixture(String name) {
        try {
            return Path.of(TorchFileTest.class.getResource("/fixtures/torch/" + name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException("fixture " + name + " missing", e);
        }
    }

    @Test
    void readsEveryDtypeAndNestedContainers() {
        Map<?, ?> root = (Map<?, ?>) TorchFile.load(fixture("tensors.pt"));
        HostTensor f16 = (HostTensor) root.get("f16");
        assertEquals(TensorDType.FLOAT16, f16.dtype());
        assertArrayEquals(new float[] {0.5f, -2f, 65504f, 6.1035e-05f}, f16.toFloatArray(), 1e-8f);
        HostTensor f32 = (HostTensor) root.get("f32");
        assertArrayEquals(new long[] {2, 3}, f32.shape());
        assertArrayEquals(new float[] {0, 0.25f, 0.5f, 0.75f, 1f, 1.25f}, f32.toFloatArray());
        HostTensor f64 = (HostTensor) root.get("f64");
        assertEquals(TensorDType.FLOAT64, f64.dtype());
        assertEquals(11.0, f64.toDoubleArray()[11]);
        assertArrayEquals(new long[] {-3, 0, 1L << 40}, ((HostTensor) root.get("i64")).toLongArray());
        // views are materialised in C order: base.t() of arange(12).reshape(3, 4)
        HostTensor t = (HostTensor) root.get("transposed");
        assertArrayEquals(new long[] {4, 3}, t.shape());
        assertArrayEquals(new double[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, t.toDoubleArray());
        assertArrayEquals(new double[] {6, 7, 10, 11}, ((HostTensor) root.get("sliced")).toDoubleArray());
        assertArrayEquals(new float[] {1, 1, 1, 1}, ((HostTensor) root.get("param")).toFloatArray());
        Map<?, ?> nested = (Map<?, ?>) root.get("nested");
        List<?> list = (List<?>) nested.get("list");
        assertInstanceOf(HostTensor.class, list.get(0));
        assertEquals(3, ((Number) ((List<?>) list.get(1)).get(1)).intValue());
        Map<?, ?> dict = (Map<?, ?>) nested.get("dict");
        assertEquals("GET", dict.get("text"));
        assertEquals(1.5, ((Number) dict.get("x")).doubleValue());
        assertEquals(Boolean.TRUE, dict.get("flag"));
        Map<?, ?> args = (Map<?, ?>) root.get("args");
        assertEquals("GET-T", args.get("model"));
        assertEquals(1e-4, ((Number) args.get("lr")).doubleValue());
    }

    @Test
    void readsTheReferenceCheckpointLayout() {
        Map<?, ?> root = (Map<?, ?>) TorchFile.load(fixture("get_p2.pth"));
        assertEquals(List.of("args", "model", "ema", "opt"), List.copyOf(root.keySet()));
        Map<?, ?> model = (Map<?, ?>) root.get("model");
        assertTrue(model.containsKey("deq_blocks.2.mlp.fc2.bias") && model.containsKey("qkv_inj.weight"));
        Map<?, ?> opt = (Map<?, ?>) root.get("opt");
        assertTrue(opt.containsKey("state") && opt.containsKey("param_groups"));
    }

    @Test
    void unknownClassesAreRefusedByName() {
        Get4jException e = assertThrows(Get4jException.class, () -> TorchFile.load(fixture("unknown_class.pt")));
        assertTrue(e.getMessage().contains("Foo"), e.getMessage());
    }

    @Test
    void malformedFilesGiveClearErrors() throws Exception {
        Path notZip = Files.writeString(dir.resolve("notzip.pt"), "hello");
        assertTrue(assertThrows(Get4jException.class, () -> TorchFile.load(notZip)).getMessage()
                .contains("not a torch.save zip archive"));
        byte[] full = Files.readAllBytes(fixture("tensors.pt"));
        Path truncated = Files.write(dir.resolve("truncated.pt"), Arrays.copyOf(full, full.length / 2));
        RuntimeException e = assertThrows(RuntimeException.class, () -> TorchFile.load(truncated));
        assertTrue(e.getMessage().contains("truncated.pt"), e.getMessage());
        // a zip without data.pkl
        Path empty = dir.resolve("empty.pt");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(empty))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("archive/version"));
            zip.write("3\n".getBytes());
        }
        assertTrue(assertThrows(Get4jException.class, () -> TorchFile.load(empty)).getMessage().contains("data.pkl"));
    }

    /** Issue 18, item 4: a flipped byte in a stored tensor fails the zip's CRC-32 instead of loading wrong weights. */
    @Test
    void aDamagedTensorRecordIsRefused() throws Exception {
        Map<?, ?> model = (Map<?, ?>) ((Map<?, ?>) TorchFile.load(fixture("get_p2.pth"))).get("model");
        HostTensor weight = model.values().stream().map(HostTensor.class::cast).filter(t -> t.data().length >= 64)
                .findFirst().orElseThrow();
        byte[] file = Files.readAllBytes(fixture("get_p2.pth"));
        byte[] needle = Arrays.copyOf(weight.data(), 64);
        int at = -1;
        for (int i = 0; i + needle.length <= file.length && at < 0; i++) {
            if (Arrays.equals(file, i, i + needle.length, needle, 0, needle.length)) {
                at = i;
            }
        }
        assertTrue(at > 0, "the tensor's bytes are stored uncompressed in the archive");
        file[at + 5] ^= 0x40;
        Path damaged = Files.write(dir.resolve("damaged.pth"), file);
        String message = assertThrows(Get4jException.class, () -> TorchFile.load(damaged)).getMessage();
        assertTrue(message.contains("damaged.pth") && message.contains("fails its CRC-32 check"), message);
    }
}
