package io.policyrec.learning;

import io.policyrec.policy.Context;
import io.policyrec.policy.HashedTable;
import io.policyrec.policy.TableRows;
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
 * <p>The batch's gradient lives in a small buffer, one slot per row the batch touched, not in a
 * table of 2^bits rows; sums run in float over one row at a time, so that the JIT vectorizes them
 * (the profile of a step at 2^18 buckets: Adam on the touched rows and the forward sums first).
 *
 * <p>Numeric features are scaled online, per bucket: x' = x / s with s the largest |x| this
 * bucket has learned from (so x' is in [-1, 1]; indicators stay 1), in the spirit of Vowpal
 * Wabbit's normalized updates, so that {@code price: 12999} next to {@code age: 34} needs no
 * pre-scaling. The scales grow only from learned batches and are part of the learner's state, so
 * restores and replays stay exact. Serving reads the same scales ({@code PolicyWeights}). A policy
 * over action features keeps its candidates' scales here too, but sets them by its own rule
 * ({@code ActionValues}: a spread that moves both ways; {@link #setScale}).
 *
 * <p>A row's weights and its Adam moments lie side by side ({@code [w | m | v]}, 3h floats): a
 * step touches thousands of rows scattered over 2^bits, and each costs its cache misses; three
 * separate tables cost three scattered fetches per row, one block costs one contiguous run.
 *
 * <p>Single precision throughout, as the service's networks; one learner thread owns it.
 */
final class HashedInputLayer {
    private final int rows;
    private final int width;
    /** Per row: its h weights, then Adam's m, then Adam's v for them. */
    private final float[] table;
    /** 3 x width: the stride from one row's block to the next. */
    private final int stride;
    /** One context's sums (forward) or gradient row (backward), in float. */
    private final float[] rowScratch;
    private final float[] bias;
    private final float[] biasM;
    private final float[] biasV;
    private final float[] biasGrad;
    private float[] scale;
    private boolean scalesShared;
    /** The slot of each row in the batch gradient, or -1 when the batch has not touched it. */
    private final int[] slotOf;
    private int[] touchedRows = new int[64];
    private float[] gradient;
    /** The touched rows' weights and moments, gathered in the gradient's slot order for the update. */
    private float[] gatheredW = new float[0];
    private float[] gatheredM = new float[0];
    private float[] gatheredV = new float[0];
    private int touchedCount;
    /** Rows changed since the last publish: what a copy-on-write publish must copy. */
    private final RowSet changedForServing;
    /** Rows changed since the last {@link #changedRows()}: what that call copies. */
    private final RowSet changedForState;
    /** What {@link #changedRows()} gave last: per row its [w | m | v], or null while as the seed drew it. */
    private float[][] stateRows;
    private final float learningRate;
    /** What {@link #fetchRows} and {@link #fetchMoments} read, kept so that the JIT keeps their loads. */
    private float fetched;

    /**
     * @param seedRows the rows as the seed drew them (rows x width, row-major)
     * @param changed  per row its [w | m | v] (3 x width) where steps changed it from the seed's, or
     *                 null; not modified, and kept as the rows the next {@link #changedRows()} shares
     * @param head     the first layer's bias at index 0 (the flat layout after the rows)
     * @param moments  Adam's m for {@code head} from index 0 and its v from the middle, or null for a
     *                 fresh optimizer
     * @param scale    the per-bucket scales, or null for none learned yet
     */
    HashedInputLayer(int rows, int width, float[] seedRows, float[][] changed, double[] head, double[] moments,
                     float[] scale, double learningRate) {
        this.rows = rows;
        this.width = width;
        this.stride = 3 * width;
        this.table = new float[rows * stride];
        this.rowScratch = new float[width];
        for (int r = 0; r < rows; r++) {
            if (changed[r] != null) {
                System.arraycopy(changed[r], 0, table, r * stride, stride);
            } else {
                System.arraycopy(seedRows, r * width, table, r * stride, width);
            }
        }
        this.bias = new float[width];
        this.biasM = new float[width];
        this.biasV = new float[width];
        this.biasGrad = new float[width];
        for (int j = 0; j < width; j++) {
            bias[j] = (float) head[j];
            if (moments != null) {
                biasM[j] = (float) moments[j];
                biasV[j] = (float) moments[moments.length / 2 + j];
            }
        }
        this.scale = scale == null ? new float[rows] : scale.clone();
        this.slotOf = new int[rows];
        Arrays.fill(slotOf, -1);
        this.gradient = new float[64 * width];
        this.changedForServing = new RowSet(rows);
        this.changedForState = new RowSet(rows);
        this.stateRows = changed;
        this.learningRate = (float) learningRate;
    }

    int size() {
        return rows * width + width;
    }

    int width() {
        return width;
    }

    /** Grows the scales with the batch's values (before its forward pass, so x' stays in [-1, 1]). */
    void learnScales(List<Context> batch) {
        for (Context c : batch) {
            for (int f = 0; f < c.size(); f++) {
                growScale(c.indices()[f], Math.abs(c.values()[f]));
            }
        }
    }

    /** Grows bucket i's scale to a magnitude a if a is above it. */
    private void growScale(int i, float a) {
        // Not from a non-finite value (the intakes refuse them): it would zero its bucket for good.
        if (a > scale[i] && a < Float.POSITIVE_INFINITY) {
            setScale(i, a);
        }
    }

    /** Sets bucket i's scale (an action feature's spread, which moves both ways). */
    void setScale(int i, float s) {
        if (s == scale[i]) {
            return;
        }
        if (scalesShared) {
            // Published weights hold the current array: copy on the first write after.
            scale = scale.clone();
            scalesShared = false;
        }
        scale[i] = s;
    }

    /** Bucket i's scale (0 until learned from). */
    float scale(int i) {
        return scale[i];
    }

    /** x' for a value in bucket i with scale s: x / max(s, |x|), 0 for 0. */
    static float scaled(float x, float s) {
        float a = Math.abs(x);
        return a == 0f ? 0f : x / Math.max(s, a);
    }

    /** The contexts of a batch, as a view (no copy). */
    static List<Context> contexts(List<RewardedDecision> batch) {
        return new java.util.AbstractList<>() {
            @Override
            public Context get(int i) {
                return batch.get(i).context();
            }

            @Override
            public int size() {
                return batch.size();
            }
        };
    }

    /** Pre-activations, B x width, into z (double, as the learner's element-wise work). */
    void forward(List<Context> batch, double[] z) {
        forward(batch, z, true);
    }

    /** As {@link #forward(List, double[])}, with or without the bias (a sum of rows alone). */
    void forward(List<Context> batch, double[] z, boolean withBias) {
        float[] sum = rowScratch;
        fetchRows(batch);
        for (int b = 0; b < batch.size(); b++) {
            if (withBias) {
                System.arraycopy(bias, 0, sum, 0, width);
            } else {
                Arrays.fill(sum, 0f);
            }
            Context c = batch.get(b);
            for (int f = 0; f < c.size(); f++) {
                int i = c.indices()[f];
                float x = scaled(c.values()[f], scale[i]);
                int row = i * stride;
                for (int j = 0; j < width; j++) {
                    sum[j] += x * table[row + j];
                }
            }
            int base = b * width;
            for (int j = 0; j < width; j++) {
                z[base + j] = sum[j];
            }
        }
    }

    /**
     * Reads one number from each cache line the forward and backward passes will need (a row's
     * weights, its scale, its gradient slot) and keeps their sum, so that the loads are not
     * removed. Java has no prefetch instruction; this pass is its stand-in. Its loads do not
     * depend on one another, so the core keeps many cache misses in flight, where the summing
     * loop waits for one row after the other. Measured at batch 100 with 30 features over 2^18
     * buckets (rows not in cache): the forward pass from about 400 to 240 us, the backward pass
     * from about 150 to 85 us; NamedFeaturesBenchmark.stepNamed, three runs of each build in
     * turn, from 581, 607 and 676 steps/s to 1,310, 805 and 1,541.
     */
    private void fetchRows(List<Context> batch) {
        float[] t = table;
        float[] s = scale;
        int[] slots = slotOf;
        float sum = 0;
        for (int b = 0; b < batch.size(); b++) {
            Context c = batch.get(b);
            int[] indices = c.indices();
            for (int f = 0; f < c.size(); f++) {
                int i = indices[f];
                sum += touch(t, i * stride, width) + s[i] + slots[i];
            }
        }
        fetched = sum;
    }

    /** Accumulates the gradient of the rows the batch touched from dL/dz (B x width). */
    void backward(List<Context> batch, double[] dz) {
        backward(batch, dz, true);
    }

    /** As {@link #backward(List, double[])}; without the bias when the forward pass had none. */
    void backward(List<Context> batch, double[] dz, boolean withBias) {
        float[] d = rowScratch;
        for (int b = 0; b < batch.size(); b++) {
            int base = b * width;
            for (int j = 0; j < width; j++) {
                d[j] = (float) dz[base + j];
                if (withBias) {
                    biasGrad[j] += d[j];
                }
            }
            Context c = batch.get(b);
            for (int f = 0; f < c.size(); f++) {
                int i = c.indices()[f];
                float x = scaled(c.values()[f], scale[i]);
                int slot = slot(i) * width;
                float[] g = gradient;
                for (int j = 0; j < width; j++) {
                    g[slot + j] += x * d[j];
                }
            }
        }
    }

    /** row(i) . u[uo, uo + width), in double. */
    double dot(int i, double[] u, int uo) {
        float[] t = table;
        int at = i * stride;
        double s = 0;
        for (int j = 0; j < width; j++) {
            s += t[at + j] * u[uo + j];
        }
        return s;
    }

    /** into[io + j] += c row(i)[j]. */
    void addScaledRow(int i, double c, double[] into, int io) {
        float[] t = table;
        int at = i * stride;
        for (int j = 0; j < width; j++) {
            into[io + j] += c * t[at + j];
        }
    }

    /** Adds c u[uo, uo + width) to the gradient of row i. */
    void addRowGradient(int i, double c, double[] u, int uo) {
        int at = slot(i) * width; // first: slot() may grow the gradient array
        float[] g = gradient;
        for (int j = 0; j < width; j++) {
            g[at + j] += (float) (c * u[uo + j]);
        }
    }

    /** As {@link #fetchRows}, for the first n rows of a list (a pass that reads them by row, not by context). */
    void fetchRows(int[] list, int n) {
        float[] t = table;
        int[] slots = slotOf;
        float sum = 0;
        for (int r = 0; r < n; r++) {
            int i = list[r];
            sum += touch(t, i * stride, width) + slots[i];
        }
        fetched = sum;
    }

    /** Adds g to the gradient of one weight (row i, column j): a row read one number at a time. */
    void addGradient(int i, int j, double g) {
        int at = slot(i) * width + j; // first: slot() may grow the gradient array
        gradient[at] += (float) g;
    }

    private int slot(int i) {
        int s = slotOf[i];
        if (s < 0) {
            s = touchedCount++;
            if (s == touchedRows.length) {
                touchedRows = Arrays.copyOf(touchedRows, 2 * s);
                gradient = Arrays.copyOf(gradient, 2 * s * width);
            }
            touchedRows[s] = i;
            slotOf[i] = s;
        }
        return s;
    }

    /** Lazy Adam on the touched rows and the bias; clears the batch's gradients. */
    void step(long iteration) {
        float stepSize = (float) AdamOptimizer.stepSize(learningRate, iteration);
        int n = touchedCount * width;
        if (gatheredW.length < n) {
            gatheredW = new float[gradient.length];
            gatheredM = new float[gradient.length];
            gatheredV = new float[gradient.length];
        }
        // Gathered into three arrays in the gradient's slot order, the update is one loop the JIT
        // vectorizes; in place, at three offsets into one table, it is not (it may alias). Measured,
        // a step at batch 100 with 30 features: Adam fell from 38% of the samples to 10% at 2^12
        // buckets, and 2^18 buckets went from about 55,000 to 82,000 contexts/s.
        fetchMoments();
        for (int t = 0; t < touchedCount; t++) {
            int at = touchedRows[t] * stride;
            System.arraycopy(table, at, gatheredW, t * width, width);
            System.arraycopy(table, at + width, gatheredM, t * width, width);
            System.arraycopy(table, at + 2 * width, gatheredV, t * width, width);
        }
        AdamOptimizer.apply(gatheredW, gradient, gatheredM, gatheredV, n, stepSize);
        for (int t = 0; t < touchedCount; t++) {
            int i = touchedRows[t];
            int at = i * stride;
            System.arraycopy(gatheredW, t * width, table, at, width);
            System.arraycopy(gatheredM, t * width, table, at + width, width);
            System.arraycopy(gatheredV, t * width, table, at + 2 * width, width);
            slotOf[i] = -1;
            changedForServing.add(i);
            changedForState.add(i);
        }
        Arrays.fill(gradient, 0, n, 0f);
        touchedCount = 0;
        AdamOptimizer.apply(bias, biasGrad, biasM, biasV, width, stepSize);
        Arrays.fill(biasGrad, 0f);
    }

    /**
     * As {@link #fetchRows}, for what the update reads of the touched rows besides their weights (in
     * cache since the forward pass): their Adam moments and their entries in the changed-row sets.
     */
    private void fetchMoments() {
        float[] t = table;
        boolean[] serving = changedForServing.in;
        boolean[] state = changedForState.in;
        float sum = 0;
        for (int r = 0; r < touchedCount; r++) {
            int i = touchedRows[r];
            sum += touch(t, i * stride + width, 2 * width) + (serving[i] ? 1 : 0) + (state[i] ? 1 : 0);
        }
        fetched = sum;
    }

    /** One number from each 64-byte line of t[from, from + n), and the last (rows need not start a line). */
    private static float touch(float[] t, int from, int n) {
        float sum = t[from + n - 1];
        for (int j = 0; j < n; j += 16) {
            sum += t[from + j];
        }
        return sum;
    }

    /** Forgets the gradient of the last backward pass without a step (gradient checks). */
    void clearGradient() {
        for (int t = 0; t < touchedCount; t++) {
            slotOf[touchedRows[t]] = -1;
        }
        Arrays.fill(gradient, 0, touchedCount * width, 0f);
        touchedCount = 0;
        Arrays.fill(biasGrad, 0f);
    }

    /**
     * The rows for serving: those published before ({@code previous}, null for none) but for the
     * rows changed since, which are copied; so publishing costs what changed, not 2^bits rows.
     */
    TableRows publishRows(TableRows previous) {
        if (previous == null) {
            changedForServing.take();
            return TableRows.of(rows, this::servedRow);
        }
        return previous.with(changedForServing.take(), this::servedRow);
    }

    private float[] servedRow(int i) {
        float[] row = new float[width];
        copyRow(i, row);
        return row;
    }

    /** The table for serving, copy-on-write from the one published before (null for none). */
    HashedTable publish(HashedTable previous) {
        return new HashedTable(publishRows(previous == null ? null : previous.rows()), bias(), publishedScales());
    }

    /**
     * The rows steps changed from the seed's, each as its [w | m | v] (null for a row still as the
     * seed drew it, with zero moments), for the learner's state. Copy-on-write: a row not changed
     * since the last call is the same array as then, so this costs the rows changed since, and a
     * snapshot store tells which rows a snapshot changed by reference. The arrays are never modified.
     */
    float[][] changedRows() {
        float[][] out = stateRows.clone();
        for (int i : changedForState.take()) {
            out[i] = Arrays.copyOfRange(table, i * stride, i * stride + stride);
        }
        stateRows = out;
        return out;
    }

    /**
     * The flat layout after the rows, as a state keeps it: {@code [bias | head]} and its Adam
     * {@code [m | v]}, with head the parameters of whatever follows this layer and headMoments
     * their [m | v] (both empty when nothing follows).
     */
    double[][] headState(double[] head, double[] headMoments) {
        int size = width + head.length;
        double[] all = new double[size];
        double[] moments = new double[2 * size];
        for (int j = 0; j < width; j++) {
            all[j] = bias[j];
            moments[j] = biasM[j];
            moments[size + j] = biasV[j];
        }
        System.arraycopy(head, 0, all, width, head.length);
        System.arraycopy(headMoments, 0, moments, width, head.length);
        System.arraycopy(headMoments, head.length, moments, size + width, head.length);
        return new double[][] {all, moments};
    }

    float row(int i, int j) {
        return table[i * stride + j];
    }

    void copyRow(int i, float[] into) {
        System.arraycopy(table, i * stride, into, 0, width);
    }

    float[] bias() {
        return bias.clone();
    }

    /** The scales for serving: shared until the next change, which copies them first. */
    float[] publishedScales() {
        scalesShared = true;
        return scale;
    }

    float[] scales() {
        return scale.clone();
    }

    /** The rows then the bias, in the flat layout's order. */
    void writeWeights(double[] into, int offset) {
        int n = rows * width;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < width; j++) {
                into[offset + r * width + j] = table[r * stride + j];
            }
        }
        for (int j = 0; j < width; j++) {
            into[offset + n + j] = bias[j];
        }
    }

    /** Sets the weights from the flat layout (gradient checks). */
    void readWeights(double[] from, int offset) {
        int n = rows * width;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < width; j++) {
                table[r * stride + j] = (float) from[offset + r * width + j];
            }
        }
        for (int j = 0; j < width; j++) {
            bias[j] = (float) from[offset + n + j];
        }
    }

    /** The gradient the last backward pass accumulated, in the flat layout's order (gradient checks). */
    void writeGradient(double[] into, int offset) {
        int n = rows * width;
        Arrays.fill(into, offset, offset + n, 0.0);
        for (int t = 0; t < touchedCount; t++) {
            int to = offset + touchedRows[t] * width;
            for (int j = 0; j < width; j++) {
                into[to + j] = gradient[t * width + j];
            }
        }
        for (int j = 0; j < width; j++) {
            into[offset + n + j] = biasGrad[j];
        }
    }

    /** A set of rows, each once; taking it hands over the rows and empties it. */
    private static final class RowSet {
        private final boolean[] in;
        private int[] list = new int[64];
        private int count;

        RowSet(int rows) {
            in = new boolean[rows];
        }

        void add(int i) {
            if (!in[i]) {
                in[i] = true;
                if (count == list.length) {
                    list = Arrays.copyOf(list, 2 * count);
                }
                list[count++] = i;
            }
        }

        int[] take() {
            int[] out = Arrays.copyOf(list, count);
            for (int t = 0; t < count; t++) {
                in[list[t]] = false;
            }
            count = 0;
            return out;
        }
    }
}
