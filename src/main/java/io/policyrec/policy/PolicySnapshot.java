package io.policyrec.policy;

/**
 * What serving reads: one policy at one version. Immutable; the learner replaces it atomically.
 *
 * @param incarnation identifies this creation of the named policy (it changes when the policy is replaced)
 * @param lambda      the regularizer weight in force (it moves when a target entropy is set)
 * @param weights     a policy with fixed actions' network (null for a policy over action features)
 * @param candidates  a policy over action features' table (null for a policy with fixed actions)
 */
public record PolicySnapshot(String name, long incarnation, PolicyConfig config, long version, long updates,
                             PolicyWeights weights, double lambda, long createdAt, CandidateWeights candidates) {

    /** A policy with fixed actions. */
    public PolicySnapshot(String name, long incarnation, PolicyConfig config, long version, long updates,
                          PolicyWeights weights, double lambda, long createdAt) {
        this(name, incarnation, config, version, updates, weights, lambda, createdAt, null);
    }

    /**
     * The distribution this policy draws from for a context: over its fixed actions, or over the
     * given candidates (a policy over action features); masked to the eligible ones, floored at
     * the config's minimum probability.
     */
    public double[] distribution(Context context, Candidate[] candidates, int[] eligible) {
        double[] logits;
        if (this.candidates != null) {
            logits = new double[candidates.length];
            this.candidates.scores(context, candidates, logits);
        } else {
            logits = weights.logits(context);
        }
        return ActionDistribution.of(logits, eligible, config.minProbability());
    }
}
