package org.get4j.notebook;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.get4j.Get4jException;
import org.get4j.diffusion.Denoiser;
import org.get4j.diffusion.GuidedTeacher;
import org.get4j.diffusion.Teachers;
import org.get4j.io.Checksums;
import org.get4j.io.JsonErrors;

/**
 * The teacher an experiment distilled, as environment/experiment-mnist records it in {@code teacher.json}: its file
 * and SHA-256, and with classifier-free guidance the weight and the unconditional teacher. A notebook rebuilds the
 * same denoiser from it (the grids it draws are the pairs' teacher, not a look-alike), and a file whose bytes are not
 * the recorded ones is refused.
 *
 * @param teacher             the teacher file as the experiment named it (relative to the repository, or absolute)
 * @param guidance            the guidance weight, or null without guidance
 * @param unconditional       the unconditional teacher of the guidance, or null
 * @param evaluations         network evaluations per teacher image (35, or 70 with guidance)
 */
public record ExperimentTeacher(String teacher, String sha256, Double guidance, String unconditional,
        @JsonProperty("unconditional_sha256") String unconditionalSha256, int evaluations) {
    public static final String FILE = "teacher.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The record in an experiment's folder, if it has one (older runs do not). */
    public static Optional<ExperimentTeacher> read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        ExperimentTeacher t;
        try {
            t = JSON.readValue(Files.readAllBytes(file), ExperimentTeacher.class);
        } catch (IOException e) {
            throw new Get4jException(file + ": unreadable teacher record: " + JsonErrors.describe(e));
        }
        if (t.teacher == null || t.sha256 == null || t.evaluations <= 0) {
            throw new Get4jException(file + ": a teacher record needs teacher, sha256 and evaluations");
        }
        if (t.guidance != null && (t.unconditional == null || t.unconditionalSha256 == null)) {
            throw new Get4jException(file + ": guidance " + t.guidance + " needs unconditional and unconditional_sha256");
        }
        return Optional.of(t);
    }

    /** "teacher, guidance 1.5" (or "teacher"): the label of the teacher's rows, grid and curves. */
    public String label() {
        return guidance == null ? "teacher"
                : "teacher, guidance " + java.math.BigDecimal.valueOf(guidance).stripTrailingZeros().toPlainString();
    }

    /**
     * The recorded teacher, with its guidance: each file is looked up as recorded, relative to {@code root} (the
     * repository), else by name in {@code teachers} (a data home moved elsewhere), and must hold the recorded bytes.
     */
    public Denoiser load(NDManager manager, Path root, Path teachers) {
        Denoiser t = Teachers.load(manager, locate(teacher, sha256, root, teachers));
        if (guidance == null) {
            return t;
        }
        Denoiser u = Teachers.load(manager, locate(unconditional, unconditionalSha256, root, teachers));
        return new GuidedTeacher(t, u, guidance);
    }

    /** As {@link #load(NDManager, Path, Path)}, from the repository of the data home and its teachers/ folder. */
    public Denoiser load(NDManager manager) {
        Path home = org.get4j.data.DataHome.resolve().toAbsolutePath();
        return load(manager, home.getParent(), home.resolve("teachers"));
    }

    private static Path locate(String recorded, String sha256, Path root, Path teachers) {
        Path file = root.resolve(recorded);
        if (!Files.isRegularFile(file)) {
            file = teachers.resolve(Path.of(recorded).getFileName());
        }
        if (!Files.isRegularFile(file)) {
            throw new Get4jException("the experiment's teacher " + recorded + " is neither at " + root.resolve(recorded)
                    + " nor at " + file);
        }
        String actual = Checksums.sha256(file);
        if (!actual.equals(sha256)) {
            throw new Get4jException(file + " has SHA-256 " + actual + ", but the experiment was made by " + recorded
                    + " with SHA-256 " + sha256 + ": not the teacher of these results");
        }
        return file;
    }
}
