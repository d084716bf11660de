package io.policyrec.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.policyrec.policy.ActionSet;
import io.policyrec.policy.BaselineKind;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.ReferenceKind;
import io.policyrec.policy.RegularizerSettings;
import io.policyrec.policy.RegularizerType;
import io.policyrec.policy.RewardAggregation;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The paper's result on the shipped Fashion-MNIST sample, with its settings (784x32x32x10, Adam
 * 1e-3, batches of 100 fresh contexts, 1,000 updates, no baseline, lambdas of its MNIST configs)
 * and fixed seeds: plain REINFORCE collapses onto a few actions; entropy and MMD keep all ten in
 * use and learn at least as well.
 */
class LearningOutcomeTest {
    static BanditEnvironment sample;

    @BeforeAll
    static void load() throws Exception {
        sample = ClassificationBandit.fromClasspath("fashion-mnist-sample", "fashion-mnist-sample");
    }

    static PolicyConfig paper(RegularizerType type, double lambda, long seed) {
        return new PolicyConfig(784, ActionSet.ofCount(10), List.of(32, 32), 0.001, 100,
                new RegularizerSettings(type, lambda, ReferenceKind.UNIFORM, null, 0.01, 5), 0.0,
                Duration.ofSeconds(30), 0.0, RewardAggregation.EARLIEST, seed, BaselineKind.NONE, 10.0);
    }

    static Evaluation last(RegularizerType type, double lambda, long seed) {
        List<Evaluation> run = Experiment.run(sample, paper(type, lambda, seed), 1000, 1000, seed, null);
        return run.get(run.size() - 1);
    }

    @Test
    void theSampleIsWhatTheTestsExpect() {
        assertEquals(784, sample.contextDimension());
        assertEquals(1000, sample.testSet().size());
        assertEquals(10, sample.actionCount());
    }

    @Test
    void plainReinforceCollapsesWhileEntropyAndMmdKeepEveryAction() {
        for (long seed : new long[] {1, 2}) {
            Evaluation plain = last(RegularizerType.NONE, 0, seed);
            Evaluation entropy = last(RegularizerType.ENTROPY, 0.25, seed);
            Evaluation mmd = last(RegularizerType.MMD, 2.0, seed);
            String table = "seed " + seed + "\nplain   " + plain + "\nentropy " + entropy + "\nmmd     " + mmd;
            assertTrue(plain.actionsUsed() < 10 || plain.meanEntropy() < 0.3, "plain must collapse: " + table);
            assertEquals(10, entropy.actionsUsed(), table);
            assertEquals(10, mmd.actionsUsed(), table);
            double best = Math.max(plain.greedyReward(), Math.max(entropy.greedyReward(), mmd.greedyReward()));
            assertTrue(entropy.greedyReward() >= best - 0.03, table);
            assertTrue(mmd.greedyReward() >= best - 0.03, table);
        }
    }
}
