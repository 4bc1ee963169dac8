package org.get4j.nn;

/**
 * The fixed 2-D sin-cos positional embedding of MAE/DiT/GET, (N, D) for an h x w grid of tokens.
 * With w_k = 1 / 10000^(k / (D/4)) for k < D/4, token t = i * w + j (row i, column j) gets
 *
 * <pre>  PE[t] = [ sin(j w), cos(j w), sin(i w), cos(i w) ]      (the column half first)</pre>
 */
public final class PositionalEmbedding {
    private PositionalEmbedding() {}

    public static float[] sinCos2d(int width, int gridH, int gridW) {
        if (width % 4 != 0) {
            throw new IllegalArgumentException("sin-cos embedding needs a width divisible by 4, got " + width);
        }
        int quarter = width / 4;
        float[] pe = new float[gridH * gridW * width];
        for (int i = 0; i < gridH; i++) {
            for (int j = 0; j < gridW; j++) {
                int base = (i * gridW + j) * width;
                for (int k = 0; k < quarter; k++) {
                    double omega = 1.0 / Math.pow(10000.0, (double) k / quarter);
                    pe[base + k] = (float) Math.sin(j * omega);
                    pe[base + quarter + k] = (float) Math.cos(j * omega);
                    pe[base + 2 * quarter + k] = (float) Math.sin(i * omega);
                    pe[base + 3 * quarter + k] = (float) Math.cos(i * omega);
                }
            }
        }
        return pe;
    }
}
