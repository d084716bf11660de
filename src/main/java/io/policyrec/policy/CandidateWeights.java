package io.policyrec.policy;

/**
 * What serving reads of a policy over action features: the context tower, the action tower and
 * the identity biases, so that a candidate's score is {@code s(x, a) = u(x) . v(a) + beta(a)} (see
 * {@code TwoTowerLearner}). Immutable; the learner publishes a new one, copy-on-write.
 */
public record CandidateWeights(HashedTable context, HashedTable actions, HashedTable identities) {

    /** The scores of the candidates in a context, into out (at least candidates.length long). */
    public void scores(Context x, Candidate[] candidates, double[] out) {
        int d = context.width();
        float[] u = new float[d];
        float[] v = new float[d];
        context.embed(x, u);
        float[][] beta = identities.rows();
        float globalBias = identities.bias()[0];
        for (int a = 0; a < candidates.length; a++) {
            actions.embed(candidates[a].features(), v);
            float s = 0f;
            for (int j = 0; j < d; j++) {
                s += u[j] * v[j];
            }
            out[a] = s + beta[candidates[a].identity()][0] + globalBias;
        }
    }
}
