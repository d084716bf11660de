package io.policyrec.policy;

/**
 * Where a policy over action features keeps what it learns: one table of rows, the context
 * features' 2^contextBits rows first, then 2^actionBits rows for the candidates' features, then
 * 2^actionBits rows for their identities (an action's own bias, in the row's first column). One
 * table, so that a snapshot, a delta, a rollback and a replica treat it as any hashed first layer.
 */
public record CandidateLayout(int contextBits, int actionBits) {

    public int contextRows() {
        return 1 << contextBits;
    }

    public int actionRows() {
        return 1 << actionBits;
    }

    /** Every row of the table. */
    public int rows() {
        return contextRows() + 2 * actionRows();
    }

    /**
     * A candidate from the bucket of its id and its features, both hashed into 2^actionBits
     * buckets ({@code FeatureHash.bucket(id, actionBits)}, {@code NamedFeatures.hash}).
     */
    public Candidate candidate(int idBucket, Context hashedFeatures) {
        int[] idx = hashedFeatures.indices();
        int[] rows = new int[idx.length];
        for (int f = 0; f < idx.length; f++) {
            rows[f] = contextRows() + idx[f];
        }
        return new Candidate(contextRows() + actionRows() + idBucket, new Context(rows, hashedFeatures.values()));
    }

    /** Whether a candidate's rows lie where this layout puts them (a logged decision may not). */
    public boolean holds(Candidate c) {
        int first = contextRows();
        int identities = first + actionRows();
        if (c == null || c.features() == null || c.identity() < identities || c.identity() >= rows()) {
            return false;
        }
        int[] idx = c.features().indices();
        float[] val = c.features().values();
        if (idx == null || val == null || idx.length != val.length) {
            return false;
        }
        for (int f = 0; f < idx.length; f++) {
            if (idx[f] < first || idx[f] >= identities || (f > 0 && idx[f] <= idx[f - 1]) || !Float.isFinite(val[f])) {
                return false;
            }
        }
        return true;
    }
}
