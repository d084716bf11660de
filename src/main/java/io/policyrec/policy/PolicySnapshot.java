package io.policyrec.policy;

/**
 * What serving reads: one policy at one version. Immutable; the learner replaces it atomically.
 *
 * @param incarnation identifies this creation of the named policy (it changes when the policy is replaced)
 * @param lambda      the regularizer weight in force (it moves when a target entropy is set)
 */
public record PolicySnapshot(String name, long incarnation, PolicyConfig config, long version, long updates,
                             PolicyWeights weights, double lambda, long createdAt) {
}
