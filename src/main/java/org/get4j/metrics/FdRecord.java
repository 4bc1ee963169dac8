package org.get4j.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.get4j.Get4jException;
import org.get4j.io.Checksums;
import org.get4j.io.JsonErrors;
import org.get4j.io.RunFiles;

/**
 * An FD measured once and kept as JSON ({@code get4j fd --record}, a teacher's reference line in runs/), so that
 * readers such as notebook 06 need not score 10,000 images again. {@code images} names what was scored: a file, whose
 * bytes {@code imagesSha256} fingerprints (a record whose images have since been replaced is stale and is not used,
 * {@link #matches}), or samples drawn on the fly, described by their generator's identity and seeds
 * ({@link #describes}; {@code imagesSha256} is null, as there is no file to fingerprint).
 */
public record FdRecord(String metric, String images, String imagesSha256, String reference, double fd, double low,
        double high, long samples, double floor) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static FdRecord of(String metric, Path images, String reference, FdEstimate estimate, double floor) {
        return new FdRecord(metric, images.toString(), Checksums.sha256(images), reference, estimate.fd(), estimate.low(),
                estimate.high(), estimate.samples(), floor);
    }

    /** A record of samples drawn on the fly, named by {@code description} (their generator's identity and seeds). */
    public static FdRecord ofSamples(String metric, String description, String reference, FdEstimate estimate,
            double floor) {
        return new FdRecord(metric, description, null, reference, estimate.fd(), estimate.low(), estimate.high(),
                estimate.samples(), floor);
    }

    /**
     * The estimate kept in {@code file} when that record is still current, else {@code score}'s new record, written to
     * {@code file} (atomically) before it is returned: measure once, reuse until what was measured changes.
     */
    public static FdEstimate keep(Path file, java.util.function.Predicate<FdRecord> current,
            java.util.function.Supplier<FdRecord> score) {
        if (Files.isRegularFile(file)) {
            FdRecord kept = read(file);
            if (current.test(kept)) {
                return kept.estimate();
            }
        }
        FdRecord fresh = score.get();
        RunFiles.ensureDir(file.toAbsolutePath().getParent());
        fresh.write(file);
        return fresh.estimate();
    }

    public FdEstimate estimate() {
        return new FdEstimate(fd, low, high, samples);
    }

    /** True when the record scored exactly these images' bytes under this metric. */
    public boolean matches(Path imagesFile, String metricName) {
        return metric.equals(metricName) && imagesSha256 != null && Files.isRegularFile(imagesFile)
                && imagesSha256.equals(Checksums.sha256(imagesFile));
    }

    /** True when the record scored samples drawn on the fly as {@code description} says, under this metric. */
    public boolean describes(String description, String metricName) {
        return metric.equals(metricName) && images.equals(description);
    }

    /** Writes the record as JSON, atomically. */
    public void write(Path file) {
        RunFiles.writeJson(file, this);
    }

    /** Reads a record; a malformed one is an error that names the file. */
    public static FdRecord read(Path file) {
        try {
            FdRecord r = JSON.readValue(Files.readAllBytes(file), FdRecord.class);
            if (r.metric() == null || r.images() == null || r.samples() < 1) {
                throw new Get4jException(file + ": not an FD record (metric, images and samples are required)");
            }
            return r;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new Get4jException(file + ": unreadable FD record: " + JsonErrors.describe(e));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
