package io.policyrec.policy;

/**
 * What a policy decides on. Dense: {@code values} is the whole vector and {@code indices} is null
 * (the paper's setting, a policy with a {@code contextDimension}). Sparse: the active buckets of a
 * hashed-features policy, {@code indices} strictly increasing with one value each, so a decision
 * costs in proportion to the features a request names, not to the number of buckets.
 */
public record Context(int[] indices, float[] values) {

    public static Context dense(float[] values) {
        return new Context(null, values);
    }

    public boolean sparse() {
        return indices != null;
    }

    /** Values held: the dimension of a dense context, the active features of a sparse one. */
    public int size() {
        return values.length;
    }

    /** Heap bytes of the arrays, roughly. */
    public long footprintBytes() {
        return 16L + 4L * values.length + (indices == null ? 0 : 16L + 4L * indices.length);
    }
}
