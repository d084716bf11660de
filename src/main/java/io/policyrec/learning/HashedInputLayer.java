package io.policyrec.learning;

import io.policyrec.policy.Context;
import java.util.Arrays;
import java.util.List;

/**
 * The first layer of a policy over hashed named features: a table of 2^bits rows of width h (one
 * row per bucket) and a bias, used as an embedding bag. The pre-activation of a context is
 * {@code bias + sum over its active buckets of x' * row(bucket)}, so a forward pass costs the
 * context's active features times h, not 2^bits times h; the backward pass writes the gradient of
 * only the rows its batch touched, and Adam updates only those rows (the lazy form: moments of a
 * row move only when the row has a gradient, with the step's global bias correction, as
 * TensorFlow's LazyAdam), so a step costs in proportion to the batch's active features.
 *
 * <p>Numeric features are scaled online, per bucket: x' = x / s with s the largest |x| this
 * bucket has learned from (so x' is in [-1, 1]; indicators stay 1), in the spirit of Vowpal
 * Wabbit's normalized updates, so that {@code price: 12999} next to {@code age: 34} needs no
 * pre-scaling. The scales grow only from learned batches and are part of the learner's state, so
 * restores and replays stay exact. Serving reads the same scales ({@code PolicyWeights}).
 *
 * <p>Single precision throughout, as the service's networks; one learner thread owns it.
 */
final class HashedInputLayer {
    private final int rows;
    private final int width;
    private final float[] table;
    private final float[] bias;
    private final float[] scale;
    private final float[] tableM;
    private final float[] tableV;
    private final float[] biasM;
    private final float[] biasV;
    private final float[] tableGradient;
    private final float[] biasGradient;
    private final boolean[] touched;
    private int[] touchedRows = new int[64];
    private int touchedCount;
    private final boolean[] changed;
    private int[] changedRows = new int[64];
    private int changedCount;
    private final float learningRate;

    /**
     * @param weights the rows then the bias, as the flat layout keeps layer 0 (row-major [in][out])
     * @param moments Adam's m for those same parameters from index 0 and their v from
     *                {@code vOffset} (the flat layout's [m | v] over the whole network), or null
     *                for a fresh optimizer
     * @param scale   the per-bucket scales, or null for none learned yet
     */
    HashedInputLayer(int rows, int width, double[] weights, double[] moments, int vOffset, float[] scale,
                     double learningRate) {
        this.rows = rows;
        this.width = width;
        int n = rows * width;
        this.table = new float[n];
        this.bias = new float[width];
        for (int i = 0; i < n; i++) {
            table[i] = (float) weights[i];
        }
        for (int j = 0; j < width; j++) {
            bias[j] = (float) weights[n + j];
        }
        this.tableM = new float[n];
        this.tableV = new float[n];
        this.biasM = new float[width];
        this.biasV = new float[width];
        if (moments != null) {
            for (int i = 0; i < n; i++) {
                tableM[i] = (float) moments[i];
                tableV[i] = (float) moments[vOffset + i];
            }
            for (int j = 0; j < width; j++) {
                biasM[j] = (float) moments[n + j];
                biasV[j] = (float) moments[vOffset + n + j];
            }
        }
        this.scale = scale == null ? new float[rows] : scale.clone();
        this.tableGradient = new float[n];
        this.biasGradient = new float[width];
        this.touched = new boolean[rows];
        this.changed = new boolean[rows];
        this.learningRate = (float) learningRate;
    }

    int size() {
        return rows * width + width;
    }

    int width() {
        return width;
    }

    /** Grows the scales with the batch's values (before its forward pass, so x' stays in [-1, 1]). */
    void learnScales(List<RewardedDecision> batch) {
        for (RewardedDecision d : batch) {
            Context c = d.context();
            for (int f = 0; f < c.size(); f++) {
                float a = Math.abs(c.values()[f]);
                int i = c.indices()[f];
                if (a > scale[i]) {
                    scale[i] = a;
                }
            }
        }
    }

    /** x' for a value in bucket i with scale s: x / max(s, |x|), 0 for 0. */
    static float scaled(float x, float s) {
        float a = Math.abs(x);
        return a == 0f ? 0f : x / Math.max(s, a);
    }

    /** Pre-activations, B x width, into z (double, as the learner's element-wise work). */
    void forward(List<RewardedDecision> batch, double[] z) {
        for (int b = 0; b < batch.size(); b++) {
            int base = b * width;
            for (int j = 0; j < width; j++) {
                z[base + j] = bias[j];
            }
            Context c = batch.get(b).context();
            for (int f = 0; f < c.size(); f++) {
                int i = c.indices()[f];
                float x = scaled(c.values()[f], scale[i]);
                int row = i * width;
                for (int j = 0; j < width; j++) {
                    z[base + j] += x * table[row + j];
                }
            }
        }
    }

    /** Accumulates the gradient of the rows the batch touched from dL/dz (B x width). */
    void backward(List<RewardedDecision> batch, double[] dz) {
        for (int b = 0; b < batch.size(); b++) {
            int base = b * width;
            for (int j = 0; j < width; j++) {
                biasGradient[j] += (float) dz[base + j];
            }
            Context c = batch.get(b).context();
            for (int f = 0; f < c.size(); f++) {
                int i = c.indices()[f];
                float x = scaled(c.values()[f], scale[i]);
                touch(i);
                int row = i * width;
                for (int j = 0; j < width; j++) {
                    tableGradient[row + j] += (float) (x * dz[base + j]);
                }
            }
        }
    }

    private void touch(int i) {
        if (!touched[i]) {
            touched[i] = true;
            if (touchedCount == touchedRows.length) {
                touchedRows = Arrays.copyOf(touchedRows, 2 * touchedCount);
            }
            touchedRows[touchedCount++] = i;
        }
    }

    /** Lazy Adam on the touched rows and the bias; clears the batch's gradients. */
    void step(long iteration) {
        float stepSize = (float) AdamOptimizer.stepSize(learningRate, iteration);
        for (int t = 0; t < touchedCount; t++) {
            int i = touchedRows[t];
            int row = i * width;
            AdamOptimizer.apply(table, tableGradient, tableM, tableV, row, row + width, stepSize);
            Arrays.fill(tableGradient, row, row + width, 0f);
            touched[i] = false;
            if (!changed[i]) {
                changed[i] = true;
                if (changedCount == changedRows.length) {
                    changedRows = Arrays.copyOf(changedRows, 2 * changedCount);
                }
                changedRows[changedCount++] = i;
            }
        }
        touchedCount = 0;
        AdamOptimizer.apply(bias, biasGradient, biasM, biasV, 0, width, stepSize);
        Arrays.fill(biasGradient, 0f);
    }

    /** Forgets the gradient of the last backward pass without a step (gradient checks). */
    void clearGradient() {
        for (int t = 0; t < touchedCount; t++) {
            int i = touchedRows[t];
            Arrays.fill(tableGradient, i * width, i * width + width, 0f);
            touched[i] = false;
        }
        touchedCount = 0;
        Arrays.fill(biasGradient, 0f);
    }

    /** The rows steps changed since the last call: what a copy-on-write publish must copy. */
    int[] takeChangedRows() {
        int[] rowsChanged = Arrays.copyOf(changedRows, changedCount);
        for (int t = 0; t < changedCount; t++) {
            changed[changedRows[t]] = false;
        }
        changedCount = 0;
        return rowsChanged;
    }

    float row(int i, int j) {
        return table[i * width + j];
    }

    void copyRow(int i, float[] into) {
        System.arraycopy(table, i * width, into, 0, width);
    }

    float[] bias() {
        return bias.clone();
    }

    float[] scales() {
        return scale.clone();
    }

    /** The rows then the bias, in the flat layout's order. */
    void writeWeights(double[] into, int offset) {
        for (int i = 0; i < table.length; i++) {
            into[offset + i] = table[i];
        }
        for (int j = 0; j < width; j++) {
            into[offset + table.length + j] = bias[j];
        }
    }

    /** Adam's m for (rows, bias) at offset, v at offset + total. */
    void writeMoments(double[] into, int offset, int total) {
        int n = table.length;
        for (int i = 0; i < n; i++) {
            into[offset + i] = tableM[i];
            into[total + offset + i] = tableV[i];
        }
        for (int j = 0; j < width; j++) {
            into[offset + n + j] = biasM[j];
            into[total + offset + n + j] = biasV[j];
        }
    }

    /** Sets the weights from the flat layout (gradient checks). */
    void readWeights(double[] from, int offset) {
        for (int i = 0; i < table.length; i++) {
            table[i] = (float) from[offset + i];
        }
        for (int j = 0; j < width; j++) {
            bias[j] = (float) from[offset + table.length + j];
        }
    }

    /** The gradient the last backward pass accumulated, in the flat layout's order (gradient checks). */
    void writeGradient(double[] into, int offset) {
        for (int i = 0; i < tableGradient.length; i++) {
            into[offset + i] = tableGradient[i];
        }
        for (int j = 0; j < width; j++) {
            into[offset + tableGradient.length + j] = biasGradient[j];
        }
    }
}
