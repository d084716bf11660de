package io.policyrec.policy;

/**
 * What serving reads of a policy over action features: its table (context rows, action rows and
 * identity rows, {@link CandidateLayout}) with the context tower's bias, so that a candidate's score
 * is {@code s(x, a) = u(x) . v(a) + beta(a)} (see {@code TwoTowerLearner}). Immutable; the learner
 * publishes a new one, copy-on-write.
 */
public record CandidateWeights(HashedTable table, CandidateLayout layout) {

    /** The scores of the candidates in a context, into out (at least candidates.length long). */
    public void scores(Context x, Candidate[] candidates, double[] out) {
        int d = table.width();
        float[] u = new float[d];
        float[] v = new float[d];
        table.embed(x, u);
        float[][] rows = table.rows();
        for (int a = 0; a < candidates.length; a++) {
            java.util.Arrays.fill(v, 0f);
            HashedTable.addRows(rows, table.scales(), candidates[a].features(), v);
            float s = 0f;
            for (int j = 0; j < d; j++) {
                s += u[j] * v[j];
            }
            out[a] = s + rows[candidates[a].identity()][0];
        }
    }
}
