package org.get4j.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.get4j.io.AtomicFiles;

/** Tiles uint8 NCHW images into one picture (grayscale for 1 channel, RGB for 3) and writes it as PNG. */
public final class ImageGrid {
    /** Pixels between and around the tiles of a grid. */
    public static final int GAP = 2;

    private ImageGrid() {}

    /** The first {@code count} images of a set, {@code columns} per row, each pixel drawn as scale x scale. */
    public static BufferedImage of(ImageSet set, int count, int columns, int scale) {
        int n = Math.min(count, set.size());
        return of(set.pixels(0, n), n, set.channels(), set.height(), set.width(), columns, scale);
    }

    public static BufferedImage of(byte[] nchw, int n, int channels, int height, int width, int columns, int scale) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("image grids need 1 or 3 channels, got " + channels);
        }
        if (n < 1 || columns < 1 || scale < 1) {
            throw new IllegalArgumentException("need n, columns, scale >= 1, got " + n + ", " + columns + ", " + scale);
        }
        int cols = Math.min(columns, n);
        int rows = (n + cols - 1) / cols;
        int cell = GAP + width * scale;
        int cellH = GAP + height * scale;
        BufferedImage img = new BufferedImage(cols * cell + GAP, rows * cellH + GAP, BufferedImage.TYPE_INT_RGB);
        int plane = height * width;
        for (int i = 0; i < n; i++) {
            int x0 = GAP + (i % cols) * cell;
            int y0 = GAP + (i / cols) * cellH;
            int base = i * channels * plane;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int p = y * width + x;
                    int r = nchw[base + p] & 0xff;
                    int g = channels == 3 ? nchw[base + plane + p] & 0xff : r;
                    int b = channels == 3 ? nchw[base + 2 * plane + p] & 0xff : r;
                    int rgb = (r << 16) | (g << 8) | b;
                    for (int dy = 0; dy < scale; dy++) {
                        for (int dx = 0; dx < scale; dx++) {
                            img.setRGB(x0 + x * scale + dx, y0 + y * scale + dy, rgb);
                        }
                    }
                }
            }
        }
        return img;
    }

    /** A value in [-1, 1] to 0..255 as the reference quantises samples: floor(x * 127.5 + 128), clipped. */
    public static byte quantise(float x) {
        return (byte) (int) Math.max(0, Math.min(255, Math.floor(x * 127.5f + 128f)));
    }

    /** Quantises every value. */
    public static byte[] quantise(float[] values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = quantise(values[i]);
        }
        return out;
    }

    /** Writes a picture as PNG, atomically. */
    public static void writePng(BufferedImage image, Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer available");
            }
        });
    }
}
