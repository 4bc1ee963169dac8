package org.get4j.pairs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.get4j.Get4jException;
import org.get4j.io.Checksums;
import org.get4j.io.ClassLabels;
import org.get4j.io.HostTensor;
import org.get4j.io.SafeTensors;
import org.get4j.io.TorchFile;
import org.get4j.runtime.Versions;

/**
 * Converts the reference's published pairs into a pair store: torch.save files {@code latent/<seed:09d>.pkl} (the
 * noise, or [noise, one-hot labels] for conditional sets) and {@code image/<seed:09d>.pkl} (the teacher's images),
 * the file name being the first seed of its block. Each block becomes one shard; float64 images become float32.
 */
public final class ReferenceImport {
    private ReferenceImport() {}

    public static PairManifest convert(Path reference, Path out, String teacherName, Consumer<String> log) {
        Path latentDir = reference.resolve("latent");
        Path imageDir = reference.resolve("image");
        if (!Files.isDirectory(latentDir) || !Files.isDirectory(imageDir)) {
            throw new Get4jException(reference + " has no latent/ and image/ folders: not the reference's pair layout");
        }
        List<Path> latents;
        try (Stream<Path> s = Files.list(latentDir)) {
            latents = s.filter(p -> p.getFileName().toString().matches("\\d{9}\\.pkl")).sorted().toList();
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (latents.isEmpty()) {
            throw new Get4jException(latentDir + " holds no <seed:09d>.pkl files");
        }
        List<PairManifest.Shard> shards = new ArrayList<>();
        int channels = -1;
        int size = -1;
        int classes = 0;
        int shardSize = 0;
        long expectedSeed = -1;
        for (int i = 0; i < latents.size(); i++) {
            Path latentFile = latents.get(i);
            String name = latentFile.getFileName().toString();
            Path imageFile = imageDir.resolve(name);
            if (!Files.isRegularFile(imageFile)) {
                throw new Get4jException("no image file " + imageFile + " for " + latentFile);
            }
            long first = Long.parseLong(name.substring(0, 9));
            if (expectedSeed >= 0 && first != expectedSeed) {
                throw new Get4jException(latentFile + " starts at seed " + first + ", expected " + expectedSeed
                        + " (a block is missing)");
            }
            Object latent = TorchFile.load(latentFile);
            HostTensor noise;
            HostTensor labels = null;
            if (latent instanceof HostTensor t) {
                noise = t;
            } else if (latent instanceof List<?> l && l.size() == 2 && l.get(0) instanceof HostTensor n
                    && l.get(1) instanceof HostTensor y) {
                noise = n;
                labels = y;
            } else {
                throw new Get4jException(latentFile + " holds neither a tensor nor [noise, labels]");
            }
            if (!(TorchFile.load(imageFile) instanceof HostTensor image)) {
                throw new Get4jException(imageFile + " does not hold a tensor");
            }
            long[] shape = noise.shape();
            if (shape.length != 4 || !java.util.Arrays.equals(shape, image.shape())) {
                throw new Get4jException(imageFile + " has shape " + java.util.Arrays.toString(image.shape())
                        + ", its noise " + latentFile + " has " + java.util.Arrays.toString(shape));
            }
            int count = (int) shape[0];
            if (i == 0) {
                channels = (int) shape[1];
                size = (int) shape[2];
                shardSize = count;
                classes = labels == null ? 0 : (int) labels.shape()[1];
            } else if (shape[1] != channels || shape[2] != size || (labels == null) != (classes == 0)) {
                throw new Get4jException(latentFile + " differs in shape or conditioning from the first block");
            }
            if (i < latents.size() - 1 && count != shardSize) {
                throw new Get4jException(latentFile + " holds " + count + " pairs, the blocks before it " + shardSize);
            }
            long[] seeds = new long[count];
            for (int j = 0; j < count; j++) {
                seeds[j] = first + j;
            }
            Map<String, HostTensor> t = new LinkedHashMap<>();
            t.put("seed", HostTensor.ofLongs(seeds, count));
            t.put("noise", HostTensor.ofFloats(noise.toFloatArray(), shape));
            t.put("image", HostTensor.ofFloats(image.toFloatArray(), shape));
            if (labels != null) {
                t.put("label", HostTensor.ofLongs(ClassLabels.argmax(labels, classes), count));
            }
            Path shard = out.resolve(PairManifest.shardFile(i));
            SafeTensors.write(shard, t, Map.of("teacher", teacherName, "first_seed", "" + first, "count", "" + count,
                    "source", latentFile.toString()));
            shards.add(new PairManifest.Shard(shard.getFileName().toString(), first, count, Checksums.sha256(shard)));
            expectedSeed = first + count;
            log.accept("imported " + name + " (" + count + " pairs)");
        }
        long total = shards.stream().mapToLong(PairManifest.Shard::count).sum();
        PairManifest m = new PairManifest(PairManifest.FORMAT, "reference-import:" + reference, teacherName,
                Map.of("steps", 18, "note", "as published by the reference"), shards.get(0).firstSeed(), total,
                shardSize, channels, size, classes, "float32", shards, Map.of("get4j", Versions.get4j()));
        m.write(out);
        return m;
    }
}
