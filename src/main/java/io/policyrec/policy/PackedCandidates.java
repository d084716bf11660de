package io.policyrec.policy;

/**
 * A decision's candidates as four arrays instead of an object per candidate and per feature list:
 * how the reward join keeps them while the decision waits for its reward (up to a window of
 * decisions, each with up to 1,000 candidates), so that young collections copy a few arrays per
 * decision rather than hundreds of small objects.
 *
 * @param identities each candidate's identity row
 * @param offsets    candidate i's features are rows[offsets[i]] to rows[offsets[i + 1] - 1]
 */
public record PackedCandidates(int[] identities, int[] offsets, int[] rows, float[] values) {

    public static PackedCandidates of(Candidate[] candidates) {
        int n = candidates.length;
        int[] identities = new int[n];
        int[] offsets = new int[n + 1];
        for (int i = 0; i < n; i++) {
            identities[i] = candidates[i].identity();
            offsets[i + 1] = offsets[i] + candidates[i].features().size();
        }
        int[] rows = new int[offsets[n]];
        float[] values = new float[offsets[n]];
        for (int i = 0; i < n; i++) {
            Context f = candidates[i].features();
            System.arraycopy(f.indices(), 0, rows, offsets[i], f.size());
            System.arraycopy(f.values(), 0, values, offsets[i], f.size());
        }
        return new PackedCandidates(identities, offsets, rows, values);
    }

    /** The candidates again, as the learner reads them. */
    public Candidate[] unpack() {
        Candidate[] out = new Candidate[identities.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = new Candidate(identities[i], new Context(java.util.Arrays.copyOfRange(rows, offsets[i],
                    offsets[i + 1]), java.util.Arrays.copyOfRange(values, offsets[i], offsets[i + 1])));
        }
        return out;
    }
}
