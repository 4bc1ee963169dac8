package org.get4j.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import org.get4j.Get4jException;
import org.get4j.data.DataHome;
import org.get4j.diffusion.Denoiser;
import org.get4j.diffusion.GuidedTeacher;
import org.get4j.diffusion.Teachers;
import org.get4j.io.Checksums;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A notebook rebuilds exactly the teacher an experiment recorded, and refuses any other. */
class ExperimentTeacherTest {
    @TempDir
    Path dir;

    private final Path teachers = DataHome.resolve().resolve("teachers");
    private final Path conditional = teachers.resolve("edm-mnist-conditional.safetensors");
    private final Path unconditional = teachers.resolve("edm-mnist.safetensors");

    private void record(String teacher, String sha, String guidance, String uncond, String uncondSha, int evals)
            throws Exception {
        Files.writeString(dir.resolve(ExperimentTeacher.FILE), "{\"teacher\": \"" + teacher + "\", \"sha256\": \"" + sha
                + "\", \"guidance\": " + guidance + ", \"unconditional\": " + (uncond == null ? "null" : "\"" + uncond + "\"")
                + ", \"unconditional_sha256\": " + (uncondSha == null ? "null" : "\"" + uncondSha + "\"")
                + ", \"evaluations\": " + evals + "}\n");
    }

    @Test
    void aGuidedRecordRebuildsTheGuidedTeacher() throws Exception {
        record("data/teachers/edm-mnist-conditional.safetensors", Checksums.sha256(conditional), "1.5",
                "somewhere/else/edm-mnist.safetensors", Checksums.sha256(unconditional), 70);
        ExperimentTeacher t = ExperimentTeacher.read(dir).orElseThrow();
        assertEquals("teacher, guidance 1.5", t.label());
        assertEquals(70, t.evaluations());
        try (NDManager m = TorchRuntime.newManager()) {
            // the first file as recorded (relative to the repository), the second by name in teachers/
            Denoiser d = t.load(m, DataHome.resolve().getParent(), teachers);
            assertTrue(d instanceof GuidedTeacher, d.identity());
            assertEquals(new GuidedTeacher(Teachers.load(m, conditional), Teachers.load(m, unconditional), 1.5).identity(),
                    d.identity());
            assertEquals(2, d.evaluationsPerCall());
            assertEquals(t.evaluations(), org.get4j.diffusion.SamplerConfig.reference().evaluations(d));
        }
    }

    @Test
    void anUnguidedRecordIsTheTeacherItself() throws Exception {
        record("data/teachers/edm-mnist-conditional.safetensors", Checksums.sha256(conditional), "null", null, null, 35);
        ExperimentTeacher t = ExperimentTeacher.read(dir).orElseThrow();
        assertEquals("teacher", t.label());
        try (NDManager m = TorchRuntime.newManager()) {
            Denoiser d = t.load(m, DataHome.resolve().getParent(), teachers);
            assertEquals(Teachers.load(m, conditional).identity(), d.identity());
            assertEquals(1, d.evaluationsPerCall());
        }
    }

    @Test
    void aFileWithOtherBytesOrABrokenRecordIsRefusedByName() throws Exception {
        assertTrue(ExperimentTeacher.read(dir).isEmpty(), "no record: an older run");
        record("data/teachers/edm-mnist-conditional.safetensors", Checksums.sha256(unconditional), "null", null, null, 35);
        try (NDManager m = TorchRuntime.newManager()) {
            ExperimentTeacher t = ExperimentTeacher.read(dir).orElseThrow();
            var e = assertThrows(Get4jException.class, () -> t.load(m, DataHome.resolve().getParent(), teachers));
            assertTrue(e.getMessage().contains("edm-mnist-conditional.safetensors has SHA-256")
                    && e.getMessage().contains("not the teacher of these results"), e.getMessage());
        }
        record("data/teachers/edm-mnist-conditional.safetensors", Checksums.sha256(conditional), "1.5",
                "data/teachers/edm-mnist.safetensors", Checksums.sha256(conditional), 70);
        try (NDManager m = TorchRuntime.newManager()) {
            ExperimentTeacher t = ExperimentTeacher.read(dir).orElseThrow();
            var e = assertThrows(Get4jException.class, () -> t.load(m, DataHome.resolve().getParent(), teachers));
            assertTrue(e.getMessage().contains("edm-mnist.safetensors has SHA-256"), e.getMessage());
        }
        record("nowhere/gone.safetensors", "00", "null", null, null, 35);
        try (NDManager m = TorchRuntime.newManager()) {
            ExperimentTeacher t = ExperimentTeacher.read(dir).orElseThrow();
            var e = assertThrows(Get4jException.class, () -> t.load(m, dir, teachers));
            assertTrue(e.getMessage().contains("nowhere/gone.safetensors is neither at"), e.getMessage());
        }
        record("a.safetensors", "00", "1.5", null, null, 70);
        var e = assertThrows(Get4jException.class, () -> ExperimentTeacher.read(dir));
        assertTrue(e.getMessage().contains("teacher.json") && e.getMessage().contains("needs unconditional"),
                e.getMessage());
        Files.writeString(dir.resolve(ExperimentTeacher.FILE), "{\"teacher\": ");
        e = assertThrows(Get4jException.class, () -> ExperimentTeacher.read(dir));
        assertTrue(e.getMessage().contains("unreadable teacher record"), e.getMessage());
    }
}
