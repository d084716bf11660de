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
        // First the decision's mean of each row (ActionValues), in the order the learner sums them.
        for (Candidate c : candidates) {
            Context f = c.features();
            int[] idx = f.indices();
            float[] val = f.values();
            for (int k = 0; k < idx.length; k++) {
                dots.add(idx[k], val[k]);
            }
        }
        float n = candidates.length;
        for (int a = 0; a < candidates.length; a++) {
            Context f = candidates[a].features();
            int[] idx = f.indices();
            float[] val = f.values();
            float s = 0f;
            for (int k = 0; k < idx.length; k++) {
                int slot = dots.slot(idx[k]);
                float v = ActionValues.of(val[k], dots.sum(slot) / n, scales[idx[k]]);
                if (v != 0f) {
                    s += v * dots.dot(slot);
                }
            }
            out[a] = s + rows.row(candidates[a].identity())[0];
        }
    }

    /**
     * Per row of one request, the sum of its values over the candidates and u . row, each dot
     * product computed once: an open-addressing table stamped with the request's number, so that
     * starting a request clears nothing. One per thread.
     */
    private static final class RowDots {
        private int[] keys = new int[1024];
        private int[] stamps = new int[1024];
        private float[] sums = new float[1024];
        private float[] values = new float[1024];
        private boolean[] computed = new boolean[1024];
        private int stamp;
        private TableRows rows;
        private float[] u;

        RowDots start(int features, TableRows rows, float[] u) {
            if (2 * features > keys.length) {
                int n = Integer.highestOneBit(2 * features - 1) << 1;
                keys = new int[n];
                stamps = new int[n];
                sums = new float[n];
                values = new float[n];
                computed = new boolean[n];
                stamp = 0;
            }
            if (++stamp == 0) {
                java.util.Arrays.fill(stamps, 0);
                stamp = 1;
            }
            this.rows = rows;
            this.u = u;
            return this;
        }

        /** Adds a candidate's value of a row to the row's sum. */
        void add(int row, float value) {
            int mask = keys.length - 1;
            int h = (row * 0x9E3779B9) >>> 7 & mask;
            while (stamps[h] == stamp) {
                if (keys[h] == row) {
                    sums[h] += value;
                    return;
                }
                h = (h + 1) & mask;
            }
            keys[h] = row;
            stamps[h] = stamp;
            sums[h] = value;
            computed[h] = false;
        }

        /** The slot of a row {@link #add} saw. */
        int slot(int row) {
            int mask = keys.length - 1;
            int h = (row * 0x9E3779B9) >>> 7 & mask;
            while (keys[h] != row || stamps[h] != stamp) {
                h = (h + 1) & mask;
            }
            return h;
        }

        float sum(int slot) {
            return sums[slot];
        }

        /** u . row of the row in a slot, computed at the first call. */
        float dot(int slot) {
            if (!computed[slot]) {
                float[] r = rows.row(keys[slot]);
                float s = 0f;
                for (int j = 0; j < u.length; j++) {
                    s += u[j] * r[j];
                }
                values[slot] = s;
                computed[slot] = true;
            }
            return values[slot];
        }
    }
}
