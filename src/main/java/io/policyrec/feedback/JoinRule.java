package io.policyrec.feedback;

import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.RewardAggregation;

/** How the rewards of one policy's decisions are joined: window, aggregation, default reward. */
public record JoinRule(long windowMillis, RewardAggregation aggregation, double defaultReward) {

    public static JoinRule of(PolicyConfig config) {
        return new JoinRule(config.rewardWindow().toMillis(), config.rewardAggregation(), config.defaultReward());
    }
}
