package io.policyrec.learning;

/**
 * Where each layer's weights and bias sit in the flat parameter vector: layer by layer, the
 * weights row-major [in][out], then the bias. The serving form ({@code PolicyWeights.fromFlat})
 * reads the same layout.
 */
public record NetworkLayout(int[] widths, long[] weightOffsets, long[] biasOffsets, long size) {

    public static NetworkLayout of(int[] widths) {
        int layers = widths.length - 1;
        long[] w = new long[layers];
        long[] b = new long[layers];
        long offset = 0;
        for (int l = 0; l < layers; l++) {
            w[l] = offset;
            offset += (long) widths[l] * widths[l + 1];
            b[l] = offset;
            offset += widths[l + 1];
        }
        return new NetworkLayout(widths.clone(), w, b, offset);
    }

    public int layers() {
        return widths.length - 1;
    }

    public int in(int layer) {
        return widths[layer];
    }

    public int out(int layer) {
        return widths[layer + 1];
    }

    public int actions() {
        return widths[widths.length - 1];
    }
}
