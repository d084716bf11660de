package io.policyrec.policy;

/**
 * What serving reads of an embedding bag over hashed features: one row per bucket, a bias, and
 * the learner's per-bucket scales. Rows are shared with the copy published before but for those
 * changed since (do not modify them).
 */
public record HashedTable(TableRows rows, float[] bias, float[] scales) {

    public int width() {
        return bias.length;
    }

    /** bias + the sum over the context's buckets of x' row(bucket), into out (width). */
    public void embed(Context context, float[] out) {
        System.arraycopy(bias, 0, out, 0, bias.length);
        addRows(rows, scales, context, out);
    }

    /**
     * Adds x' row(bucket) for each active bucket of a sparse context to out, with x' = x / max(s, |x|)
     * for the bucket's scale s (the learner's online scaling; see {@code HashedInputLayer}).
     */
    public static void addRows(TableRows rows, float[] scales, Context context, float[] out) {
        int[] idx = context.indices();
        float[] val = context.values();
        // First one load from each cache line of the rows and scales the sums will read (a row's
        // first, middle and last numbers: each of its lines up to 32 floats, the default width), none
        // depending on another, so that the core has many misses in flight; the summing loop alone
        // waits for one row after the other. Measured (NamedFeaturesBenchmark, 30 active features
        // over 2^18 buckets, two runs of each build in turn): a decision from 8.7 and 11.4 us median
        // to 5.2 and 4.9 us; over 100,000 visitors 8.9 and 10.4 to 5.1 and 5.1 us; 50 candidates
        // (CandidateBenchmark, whose context is summed here) 16.5 and 17.9 to 13.9 and 14.7 us. The
        // service at 4,000 named-features requests/s (loadtest http --rate 4000, twice each): event
        // loop CPU per request 137 and 155 us to 128 and 133. The same pass over the candidates'
        // rows (CandidateWeights) measured slower in CandidateBenchmark, whose candidates repeat.
        float touched = 0f;
        for (int f = 0; f < idx.length; f++) {
            float[] row = rows.row(idx[f]);
            touched += row[0] + row[row.length >> 1] + row[row.length - 1] + scales[idx[f]];
        }
        for (int f = 0; f < idx.length; f++) {
            float x = val[f];
            float a = Math.abs(x);
            if (a == 0f) {
                continue;
            }
            x = x / Math.max(scales[idx[f]], a);
            float[] row = rows.row(idx[f]);
            for (int j = 0; j < out.length; j++) {
                out[j] += x * row[j];
            }
        }
        if (touched == SENTINEL) {
            // Never true in practice: the comparison only keeps the loads above from being removed.
            out[0] += 0f;
        }
    }

    /** What the first loop's sum is compared with (a value it does not reach). */
    private static final float SENTINEL = -0x1.fffffep127f;
}
