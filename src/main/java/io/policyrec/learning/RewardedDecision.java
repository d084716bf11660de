package io.policyrec.learning;

import io.policyrec.policy.Context;

/**
 * A decision with its final reward: what one row of a learning batch is made of.
 *
 * @param eligible          the eligible action indices at decision time, or null for all
 * @param loggedProbability the probability with which the serving policy drew the action
 */
public record RewardedDecision(Context context, int[] eligible, int action, double loggedProbability,
                               double reward) {
}
