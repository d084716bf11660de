package io.policyrec.policy;

/**
 * What serving reads of a policy over action features: its table (context rows, action rows and
 * identity rows, {@link CandidateLayout}) with the context tower's bias, so that a candidate's score
 * is {@code s(x, a) = u(x) . v(a) + beta(a)} (see {@code TwoTowerLearner}). Immutable; the learner
 * publishes a new one, copy-on-write.
 *
 * <p>Scored as {@code sum over a's features f of x'_f (u . row_f) + beta(a)}, the same sum
 * regrouped ({@code x'} the value the feature enters with, {@link ActionValues}), with each row's
 * dot product computed once per request: candidates share most of
 * their rows (a numeric feature is one bucket for every candidate, a category a bucket per value),
 * so 50 candidates of 10 features read about 100 distinct rows, not 500.
 */
public record CandidateWeights(HashedTable table, CandidateLayout layout) {
    private static final ThreadLocal<RowDots> DOTS = ThreadLocal.withInitial(RowDots::new);

    /** The scores of the candidates in a context, into out (at least candidates.length long). */
    public void scores(Context x, Candidate[] candidates, double[] out) {
        int d = table.width();
        float[] u = new float[d];
        table.embed(x, u);
        TableRows rows = table.rows();
        float[] scales = table.scales();
        int features = 0;
        for (Candidate c : candidates) {
            features += c.features().size();
        }
        RowDots dots = DOTS.get().start(features, rows, u);
        // First each row's sum over the candidates, in the order the learner sums them; then per
        // row its mean, w(0) and dot product once (ActionValues); then the scores.
        int[] slotOf = dots.occurrenceSlots();
        int o = 0;
        for (Candidate c : candidates) {
            Context f = c.features();
            int[] idx = f.indices();
            float[] val = f.values();
            for (int k = 0; k < idx.length; k++) {
                slotOf[o++] = dots.add(idx[k], val[k]);
            }
        }
        dots.prepare(candidates.length, scales);
        o = 0;
        for (int a = 0; a < candidates.length; a++) {
            float[] val = candidates[a].features().values();
            float s = 0f;
            for (int k = 0; k < val.length; k++) {
                int slot = slotOf[o++];
                s += dots.value(slot, val[k]) * dots.dot(slot);
            }
            out[a] = s + rows.row(candidates[a].identity())[0];
        }
    }

    /**
     * Per row of one request: the sum of its values over the candidates, then its mean, scale,
     * w(0) and u . row, each computed once; an open-addressing table stamped with the request's
     * number, so that starting a request clears nothing. One per thread.
     */
    private static final class RowDots {
        private int[] keys = new int[1024];
        private int[] stamps = new int[1024];
        /** The sum of the row's values over the candidates, then ({@link #prepare}) their mean. */
        private float[] means = new float[1024];
        /** 1 / the row's scale, or 0 for a row without one. */
        private float[] inverses = new float[1024];
        private float[] atZero = new float[1024];
        private float[] dots = new float[1024];
        /** The slots taken by this request, in order. */
        private int[] used = new int[1024];
        private int usedCount;
        /** Per candidate feature of the request, in order, its row's slot. */
        private int[] occurrenceSlots = new int[512];
        private int stamp;
        private TableRows rows;
        private float[] u;

        RowDots start(int features, TableRows rows, float[] u) {
            if (2 * features > keys.length) {
                int n = Integer.highestOneBit(2 * features - 1) << 1;
                keys = new int[n];
                stamps = new int[n];
                means = new float[n];
                inverses = new float[n];
                atZero = new float[n];
                dots = new float[n];
                used = new int[n];
                occurrenceSlots = new int[n / 2];
                stamp = 0;
            }
            if (++stamp == 0) {
                java.util.Arrays.fill(stamps, 0);
                stamp = 1;
            }
            usedCount = 0;
            this.rows = rows;
            this.u = u;
            return this;
        }

        int[] occurrenceSlots() {
            return occurrenceSlots;
        }

        /** Adds a candidate's value of a row to the row's sum; the row's slot. */
        int add(int row, float value) {
            int mask = keys.length - 1;
            int h = (row * 0x9E3779B9) >>> 7 & mask;
            while (stamps[h] == stamp) {
                if (keys[h] == row) {
                    means[h] += value;
                    return h;
                }
                h = (h + 1) & mask;
            }
            keys[h] = row;
            stamps[h] = stamp;
            means[h] = value;
            used[usedCount++] = h;
            return h;
        }

        /** Each row's mean over the candidates, 1 / its scale, w(0) and, where the scale is set, u . row. */
        void prepare(int candidates, float[] bucketScales) {
            for (int i = 0; i < usedCount; i++) {
                int h = used[i];
                float mean = means[h] / candidates;
                float inverse = ActionValues.inverse(bucketScales[keys[h]]);
                means[h] = mean;
                inverses[h] = inverse;
                atZero[h] = ActionValues.atZero(mean, inverse);
                if (inverse != 0f) {
                    float[] r = rows.row(keys[h]);
                    float s = 0f;
                    for (int j = 0; j < u.length; j++) {
                        s += u[j] * r[j];
                    }
                    dots[h] = s;
                } else {
                    dots[h] = 0f;
                }
            }
        }

        /** The value a candidate's x of the row in a slot enters with (ActionValues). */
        float value(int slot, float x) {
            return ActionValues.of(x, means[slot], inverses[slot], atZero[slot]);
        }

        float dot(int slot) {
            return dots[slot];
        }
    }
}
