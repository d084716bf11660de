package io.policyrec.personalizer;

/**
 * What Personalizer's {@code GET /configurations/service} reports, read from the loop's policy
 * (changed with {@code PUT /policies/{name}}): the fields that mean the same here, in its names.
 *
 * @param rewardWaitTime    the reward window, ISO 8601 ("PT10M")
 * @param defaultReward     learned from for an event without a reward in its window
 * @param rewardAggregation "earliest", "sum" or "max"
 * @param policy            the policy behind the loop
 * @param policyVersion     the version it serves
 */
public record LoopConfiguration(String rewardWaitTime, double defaultReward, String rewardAggregation, String policy,
                                long policyVersion) {
}
