package io.policyrec.learning;

import io.policyrec.policy.Candidate;
import io.policyrec.policy.Context;

/**
 * A decision with its final reward: what one row of a learning batch is made of.
 *
 * @param eligible          the eligible action indices at decision time, or null for all
 * @param loggedProbability the probability with which the serving policy drew the action
 * @param candidates        the decision's candidates (action and eligible index into them), or null
 *                          for a policy with fixed actions
 */
public record RewardedDecision(Context context, int[] eligible, int action, double loggedProbability,
                               double reward, Candidate[] candidates) {

    /** A decision of a policy with fixed actions. */
    public RewardedDecision(Context context, int[] eligible, int action, double loggedProbability, double reward) {
        this(context, eligible, action, loggedProbability, reward, null);
    }
}
