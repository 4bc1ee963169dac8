package org.get4j.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.get4j.Get4jException;

/** A folder of square greyscale PNG images (samples written by other tools) as an unlabelled image set. */
public final class ImageFolders {
    private ImageFolders() {
    }

    /** Every .png in {@code dir}, in name order; they must be square and all of one size (the blue channel is read). */
    public static ImageSet read(Path dir) {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().toLowerCase().endsWith(".png")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new Get4jException(dir + " holds no .png files");
        }
        int size = -1;
        byte[] all = null;
        for (int i = 0; i < files.size(); i++) {
            BufferedImage img;
            try {
                img = ImageIO.read(files.get(i).toFile());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + files.get(i) + ": " + e.getMessage(), e);
            }
            if (img == null || img.getWidth() != img.getHeight() || (size >= 0 && img.getWidth() != size)) {
                throw new Get4jException(files.get(i) + ": not a square PNG of the same size as the others");
            }
            if (size < 0) {
                size = img.getWidth();
                all = new byte[files.size() * size * size];
            }
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    all[i * size * size + y * size + x] = (byte) (img.getRGB(x, y) & 0xff);
                }
            }
        }
        return new ImageSet(dir.toString(), all, new int[files.size()], 1, size, size);
    }
}
