package io.policyrec.simulation;

import io.policyrec.features.NamedFeatures;
import io.policyrec.learning.PolicyGradientLearner;
import io.policyrec.learning.RewardedDecision;
import io.policyrec.metrics.ActionStats;
import io.policyrec.policy.ActionDistribution;
import io.policyrec.policy.ActionSampler;
import io.policyrec.policy.Context;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.PolicyWeights;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The paper's experiment in process: each update draws a batch of fresh contexts, samples an
 * action for each from the current policy exactly as the service does, observes the rewards and
 * takes one gradient step; every so often the policy is evaluated on the test set.
 */
public final class Experiment {
    private Experiment() {
    }

    /**
     * @param evaluateEvery evaluate after every this many updates (and after the last)
     * @param seed          drives the contexts drawn and the actions sampled (the weights come
     *                      from the config's seed)
     */
    public static List<Evaluation> run(BanditEnvironment env, PolicyConfig config, int updates, int evaluateEvery,
                                       long seed, Consumer<Evaluation> progress) {
        PolicyGradientLearner learner = PolicyGradientLearner.create(config, DataType.FLOAT);
        SplittableRandom random = new SplittableRandom(seed);
        SplittableRandom evaluationRandom = new SplittableRandom(seed ^ 0x5DEECE66DL);
        List<Evaluation> evaluations = new ArrayList<>();
        Map<float[], Context> testContexts = new IdentityHashMap<>();
        PolicyWeights weights = learner.weights();
        int batchSize = config.batchSize();
        List<RewardedDecision> batch = new ArrayList<>(batchSize);
        for (int u = 1; u <= updates; u++) {
            batch.clear();
            for (int b = 0; b < batchSize; b++) {
                Sample s = env.draw(random);
                Context context = contextOf(env, config, s.context());
                double[] q = ActionDistribution.of(weights.logits(context), null, config.minProbability());
                int action = ActionSampler.draw(q, null, 1, random).first();
                batch.add(new RewardedDecision(context, null, action, q[action], s.rewards()[action]));
            }
            learner.step(batch);
            weights = learner.weights();
            if (u % evaluateEvery == 0 || u == updates) {
                Evaluation e = evaluate(env, weights, config, u, (long) u * batchSize, learner.lambda(),
                        evaluationRandom, testContexts);
                evaluations.add(e);
                if (progress != null) {
                    progress.accept(e);
                }
            }
        }
        return evaluations;
    }

    private static Evaluation evaluate(BanditEnvironment env, PolicyWeights weights, PolicyConfig config,
                                       long updates, long interactions, double lambda, SplittableRandom random,
                                       Map<float[], Context> testContexts) {
        List<double[]> distributions = new ArrayList<>(env.testSet().size());
        for (Sample s : env.testSet()) {
            Context context = testContexts.computeIfAbsent(s.context(), c -> contextOf(env, config, c));
            distributions.add(ActionDistribution.of(weights.logits(context), null, config.minProbability()));
        }
        return evaluate(env, distributions, updates, interactions, lambda, random);
    }

    /**
     * A context as the policy reads it: the dense vector, or for a policy over hashed named features
     * the environment's names for it, hashed as the service hashes a request's features.
     */
    public static Context contextOf(BanditEnvironment env, PolicyConfig config, float[] dense) {
        if (!config.hashed()) {
            return Context.dense(dense);
        }
        return NamedFeatures.hash(env.namedContext(dense), "features", config.featureBits(),
                NamedFeatures.DEFAULT_LIMITS);
    }

    /** The same measures from the policy's distributions on the test set (in test-set order). */
    public static Evaluation evaluate(BanditEnvironment env, List<double[]> distributions, long updates,
                                      long interactions, double lambda, SplittableRandom random) {
        List<Sample> test = env.testSet();
        int k = env.actionCount();
        int topK = env.accuracyTopK();
        double greedyReward = 0;
        double sampledReward = 0;
        double entropy = 0;
        int hits = 0;
        long[] drawn = new long[k];
        for (int i = 0; i < test.size(); i++) {
            Sample s = test.get(i);
            double[] q = distributions.get(i);
            int greedy = argmax(q);
            greedyReward += s.rewards()[greedy];
            if (rank(q, s.best()) < topK) {
                hits++;
            }
            entropy += ActionDistribution.entropy(q);
            int a = ActionSampler.draw(q, null, 1, random).first();
            drawn[a]++;
            sampledReward += s.rewards()[a];
        }
        int n = test.size();
        double[] shares = new double[k];
        for (int a = 0; a < k; a++) {
            shares[a] = (double) drawn[a] / n;
        }
        return new Evaluation(updates, interactions, greedyReward / n, (double) hits / n, sampledReward / n,
                entropy / n, ActionStats.inUse(shares, Evaluation.IN_USE_SHARE), ActionStats.top(shares), lambda,
                shares);
    }

    static int argmax(double[] q) {
        int best = 0;
        for (int a = 1; a < q.length; a++) {
            if (q[a] > q[best]) {
                best = a;
            }
        }
        return best;
    }

    /** How many actions are strictly more probable than this one. */
    static int rank(double[] q, int action) {
        int above = 0;
        for (double p : q) {
            if (p > q[action]) {
                above++;
            }
        }
        return above;
    }
}
