package org.get4j.pairs;

import java.awt.image.BufferedImage;
import org.get4j.data.ImageGrid;

/** Pictures of pairs: each noise sample above the image the teacher made from it. */
public final class PairViews {
    private PairViews() {}

    /** Two rows per block of pairs: noise (shown as [-3, 3] to grey), then the image ([-1, 1] to grey). */
    public static BufferedImage grid(Pairs pairs, int scale) {
        return twoRows(pairs.noise(), 1 / 3f, pairs.images(), pairs.count(), pairs.channels(), pairs.size(), scale);
    }

    /** Images of two sets, set a above set b, 16 per row; a's values are multiplied by {@code aScale} first. */
    public static BufferedImage twoRows(float[] a, float aScale, float[] b, int n, int channels, int size, int scale) {
        int px = channels * size * size;
        int columns = Math.min(n, 16);
        int rows = (n + columns - 1) / columns;
        byte[] tiles = new byte[2 * rows * columns * px];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                int i = r * columns + c;
                if (i >= n) {
                    continue;
                }
                int noiseTile = (2 * r) * columns + c;
                int imageTile = (2 * r + 1) * columns + c;
                for (int j = 0; j < px; j++) {
                    tiles[noiseTile * px + j] = ImageGrid.quantise(a[i * px + j] * aScale);
                    tiles[imageTile * px + j] = ImageGrid.quantise(b[i * px + j]);
                }
            }
        }
        return ImageGrid.of(tiles, 2 * rows * columns, channels, size, size, columns, scale);
    }

}
