package io.policyrec.policy;

/**
 * The weights of a policy network as plain Java arrays, for the request path. Immutable once built:
 * the learner builds a new instance after each update and publishes it with one reference swap.
 *
 * <p>Weights are stored input-major ({@code w[l][i][j]} is the weight from input i to unit j of
 * layer l), so the forward pass adds whole rows scaled by one input: a loop the JIT vectorizes.
 * Measured here (784x32x32x10): about 2.7 us a forward pass, against hundreds of microseconds for a
 * one-row ND4J call.
 */
public final class PolicyWeights {
    private final float[][][] w;
    private final float[][] b;
    private final int inputs;

    public PolicyWeights(float[][][] w, float[][] b) {
        this.w = w;
        this.b = b;
        this.inputs = w[0].length;
    }

    /** Builds the weights from flat layer arrays: weights row-major [in][out], then biases. */
    public static PolicyWeights fromFlat(int[] widths, float[] flat) {
        int layers = widths.length - 1;
        float[][][] w = new float[layers][][];
        float[][] b = new float[layers][];
        int offset = 0;
        for (int l = 0; l < layers; l++) {
            int in = widths[l];
            int out = widths[l + 1];
            w[l] = new float[in][out];
            for (int i = 0; i < in; i++) {
                System.arraycopy(flat, offset, w[l][i], 0, out);
                offset += out;
            }
            b[l] = new float[out];
            System.arraycopy(flat, offset, b[l], 0, out);
            offset += out;
        }
        return new PolicyWeights(w, b);
    }

    public int inputs() {
        return inputs;
    }

    public int outputs() {
        return b[b.length - 1].length;
    }

    public int layers() {
        return w.length;
    }

    /** Weight from input i to unit j of layer l. */
    public float weight(int l, int i, int j) {
        return w[l][i][j];
    }

    public float bias(int l, int j) {
        return b[l][j];
    }

    /** The logits of the policy for one context (ReLU hidden layers, linear output). */
    public double[] logits(float[] context) {
        float[] activation = context;
        for (int l = 0; l < w.length; l++) {
            activation = layer(activation, w[l], b[l], l + 1 < w.length);
        }
        double[] logits = new double[activation.length];
        for (int j = 0; j < logits.length; j++) {
            logits[j] = activation[j];
        }
        return logits;
    }

    private static float[] layer(float[] x, float[][] w, float[] bias, boolean relu) {
        int n = w.length;
        int m = bias.length;
        float[] out = bias.clone();
        int i = 0;
        // Four inputs at a time: a quarter of the loads and stores of out[], still vectorized.
        for (; i + 3 < n; i += 4) {
            float x0 = x[i];
            float x1 = x[i + 1];
            float x2 = x[i + 2];
            float x3 = x[i + 3];
            float[] r0 = w[i];
            float[] r1 = w[i + 1];
            float[] r2 = w[i + 2];
            float[] r3 = w[i + 3];
            for (int j = 0; j < m; j++) {
                out[j] += x0 * r0[j] + x1 * r1[j] + x2 * r2[j] + x3 * r3[j];
            }
        }
        for (; i < n; i++) {
            float xi = x[i];
            float[] r = w[i];
            for (int j = 0; j < m; j++) {
                out[j] += xi * r[j];
            }
        }
        if (relu) {
            for (int j = 0; j < m; j++) {
                if (out[j] < 0f) {
                    out[j] = 0f;
                }
            }
        }
        return out;
    }
}
