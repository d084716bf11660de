package io.policyrec.simulation;

/**
 * A policy measured on an environment's test set.
 *
 * @param greedyReward   mean reward of the most probable action (the paper's test reward)
 * @param greedyAccuracy share of contexts whose best action is among the k most probable
 * @param sampledReward  mean reward of actions drawn from the stochastic policy
 * @param meanEntropy    mean entropy of the policy over the test contexts, in nats
 * @param actionsUsed    actions drawn for at least 0.5% of the test contexts
 * @param topActionShare share of draws that went to the most drawn action
 * @param actionShares   share of draws per action
 */
public record Evaluation(long updates, long interactions, double greedyReward, double greedyAccuracy,
                         double sampledReward, double meanEntropy, int actionsUsed, double topActionShare,
                         double lambda, double[] actionShares) {

    public static final double IN_USE_SHARE = 0.005;
}
