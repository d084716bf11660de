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
    }
}
