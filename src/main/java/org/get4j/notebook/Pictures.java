package org.get4j.notebook;

import ai.djl.ndarray.NDArray;
import java.awt.image.BufferedImage;
import java.util.List;
import org.get4j.data.ImageGrid;
import org.get4j.diffusion.Teachers;

/** Pictures the notebooks show: grids of generated images and trajectories from noise to image. */
public final class Pictures {
    private Pictures() {}

    /** Images (N, C, H, W) in about [-1, 1] as a grid, {@code columns} per row, scale 2. */
    public static BufferedImage grid(NDArray images, int columns) {
        long[] s = images.getShape().getShape();
        return ImageGrid.of(Teachers.toBytes(images), (int) s[0], (int) s[1], (int) s[2], (int) s[3], columns, 2);
    }

    /**
     * One sample's path through the sampler: the state at every recorded time step, left to right from pure noise
     * to the image, each labelled with its noise level sigma. A state at noise level sigma is shown divided by
     * sqrt(1 + (2.5 sigma)^2): the finished image as it is, pure noise squeezed into the visible range instead of
     * clipped to black and white.
     */
    public static BufferedImage trajectory(List<NDArray> states, double[] sigmas, int sample) {
        int steps = states.size();
        long[] s = states.get(0).getShape().getShape();
        int px = (int) (s[1] * s[2] * s[3]);
        float[] strip = new float[steps * px];
        for (int t = 0; t < steps; t++) {
            float[] all = states.get(t).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
            double sigma = sigmas[Math.min(t, sigmas.length - 1)];
            double scale = 1.0 / Math.sqrt(1 + 6.25 * sigma * sigma);
            for (int j = 0; j < px; j++) {
                strip[t * px + j] = (float) (all[sample * px + j] * scale);
            }
        }
        byte[] bytes = ImageGrid.quantise(strip);
        int scale = 3;
        BufferedImage tiles = ImageGrid.of(bytes, steps, (int) s[1], (int) s[2], (int) s[3], steps, scale);
        String[] labels = new String[steps];
        for (int t = 0; t < steps; t++) {
            labels[t] = (t == 0 ? "σ = " : "") + sigmaLabel(sigmas[Math.min(t, sigmas.length - 1)]);
        }
        return withLabelsBelow(tiles, labels, ImageGrid.GAP + (int) s[3] * scale);
    }

    /** A grid (as {@link #grid} draws it) with a label left of each row. */
    public static BufferedImage withRowLabels(BufferedImage grid, String[] labels) {
        int rowHeight = (grid.getHeight() - ImageGrid.GAP) / labels.length;
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        java.awt.Font font = new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 13);
        java.awt.FontMetrics fm = probe.createGraphics().getFontMetrics(font);
        int margin = 8 + java.util.Arrays.stream(labels).mapToInt(fm::stringWidth).max().orElse(0);
        BufferedImage out = new BufferedImage(grid.getWidth() + margin, grid.getHeight(), BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = out.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_TEXT_ANTIALIASING,
                java.awt.RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.drawImage(grid, margin, 0, null);
        g.setColor(java.awt.Color.BLACK);
        g.setFont(font);
        for (int i = 0; i < labels.length; i++) {
            int middle = ImageGrid.GAP + i * rowHeight + rowHeight / 2 + fm.getAscent() / 2 - 2;
            g.drawString(labels[i], margin - 6 - fm.stringWidth(labels[i]), middle);
        }
        g.dispose();
        return out;
    }

    /** sigma as a tile label: 80, 57, 2.5, 0.31, 0.002, 0. */
    static String sigmaLabel(double sigma) {
        if (sigma == 0) {
            return "0";
        }
        String digits = sigma >= 10 ? "%.0f" : sigma >= 1 ? "%.1f" : sigma >= 0.1 ? "%.2f" : "%.3f";
        return String.format(java.util.Locale.ROOT, digits, sigma);
    }

    /** A row of centred labels under the tiles of a one-row grid whose tiles start every {@code cell} pixels. */
    private static BufferedImage withLabelsBelow(BufferedImage tiles, String[] labels, int cell) {
        int rowHeight = 18;
        BufferedImage out = new BufferedImage(tiles.getWidth(), tiles.getHeight() + rowHeight,
                BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = out.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_TEXT_ANTIALIASING,
                java.awt.RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.drawImage(tiles, 0, 0, null);
        g.setColor(java.awt.Color.BLACK);
        g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12));
        java.awt.FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i < labels.length; i++) {
            int centre = ImageGrid.GAP + i * cell + (cell - ImageGrid.GAP) / 2;
            g.drawString(labels[i], centre - fm.stringWidth(labels[i]) / 2, tiles.getHeight() + rowHeight - 5);
        }
        g.dispose();
        return out;
    }

    /** Captioned pictures side by side, in the order given. */
    @SafeVarargs
    public static BufferedImage labelled(java.util.Map.Entry<String, BufferedImage>... panels) {
        java.util.Map<String, BufferedImage> ordered = new java.util.LinkedHashMap<>();
        for (java.util.Map.Entry<String, BufferedImage> p : panels) {
            ordered.put(p.getKey(), p.getValue());
        }
        return labelled(ordered);
    }

    /** Pictures side by side, each under its caption, on a white background: "which is which" in one image. */
    public static BufferedImage labelled(java.util.Map<String, BufferedImage> panels) {
        int gap = 16;
        int captionHeight = 22;
        int width = panels.values().stream().mapToInt(BufferedImage::getWidth).sum() + gap * (panels.size() + 1);
        int height = panels.values().stream().mapToInt(BufferedImage::getHeight).max().orElse(0) + captionHeight + gap;
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = out.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_TEXT_ANTIALIASING,
                java.awt.RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(java.awt.Color.BLACK);
        g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 14));
        int x = gap;
        for (java.util.Map.Entry<String, BufferedImage> p : panels.entrySet()) {
            g.drawString(p.getKey(), x, captionHeight - 6);
            g.drawImage(p.getValue(), x, captionHeight, null);
            x += p.getValue().getWidth() + gap;
        }
        g.dispose();
        return out;
    }
}
