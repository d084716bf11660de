package io.policyrec.learning;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.policyrec.policy.Context;
import io.policyrec.policy.ActionSet;
import io.policyrec.policy.BaselineKind;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.ReferenceKind;
import io.policyrec.policy.RegularizerSettings;
import io.policyrec.policy.RegularizerType;
import io.policyrec.policy.RewardAggregation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The learner's analytic gradient (output gradient and backpropagation through the network)
 * against central finite differences of its loss, for every parameter of small random networks.
 */
class PolicyGradientCheckTest {

    static PolicyConfig config(RegularizerType type, ReferenceKind reference, double lambda, long seed) {
        return new PolicyConfig(6, ActionSet.ofCount(4), List.of(5, 4), 0.01, 8,
                new RegularizerSettings(type, lambda, reference, null, 0.01, 3), 0.02, Duration.ofSeconds(30),
                0.0, RewardAggregation.EARLIEST, seed, BaselineKind.MEAN, 10.0);
    }

    static List<RewardedDecision> batch(Random random, int rows, boolean zeroRewards) {
        List<RewardedDecision> batch = new ArrayList<>();
        for (int b = 0; b < rows; b++) {
            float[] x = new float[6];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            int[] eligible = b % 3 == 0 ? new int[] {0, 2, 3} : null;
            int action = eligible == null ? random.nextInt(4) : eligible[random.nextInt(3)];
            double reward = zeroRewards ? 0.0 : random.nextGaussian();
            batch.add(new RewardedDecision(Context.dense(x), eligible, action, 0.1 + 0.5 * random.nextDouble(), reward));
        }
        return batch;
    }

    /**
     * A few real steps first: freshly initialised biases are exactly 0, and a context whose first
     * layer is all dead would sit exactly on a ReLU kink, where finite differences are meaningless.
     */
    static PolicyGradientLearner trained(PolicyConfig config, long seed) {
        PolicyGradientLearner learner = PolicyGradientLearner.create(config, DataType.DOUBLE);
        Random random = new Random(seed);
        for (int i = 0; i < 5; i++) {
            learner.step(batch(random, 8, false));
        }
        return learner;
    }

    static void check(PolicyGradientLearner learner, List<RewardedDecision> batch, String what) {
        double[] importance = new double[batch.size()];
        for (int b = 0; b < importance.length; b++) {
            importance[b] = 0.5 + b * 0.1;
        }
        double[] theta = learner.params();
        double[] analytic = learner.gradientAt(theta, batch, importance);
        double h = 1e-6;
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < theta.length; i++) {
            double[] plus = theta.clone();
            double[] minus = theta.clone();
            plus[i] += h;
            minus[i] -= h;
            double numeric = (learner.lossAt(plus, batch, importance) - learner.lossAt(minus, batch, importance))
                    / (2 * h);
            diff += (numeric - analytic[i]) * (numeric - analytic[i]);
            norm += (numeric + analytic[i]) * (numeric + analytic[i]) / 4;
            double scale = Math.max(Math.abs(numeric), Math.abs(analytic[i]));
            assertTrue(Math.abs(numeric - analytic[i]) <= 1e-3 * scale + 1e-8,
                    what + ": parameter " + i + " analytic " + analytic[i] + " numeric " + numeric);
        }
        double relative = Math.sqrt(diff / Math.max(norm, 1e-30));
        assertTrue(norm > 0, what + ": the gradient must not be zero");
        assertTrue(relative < 1e-3, what + ": relative error " + relative);
    }

    @Test
    void policyGradientTermAlone() {
        PolicyGradientLearner learner = trained(config(RegularizerType.NONE, ReferenceKind.UNIFORM, 0, 11), 8);
        check(learner, batch(new Random(1), 8, false), "policy gradient");
    }

    @Test
    void everyRegularizerAloneAndWithThePolicyGradientAgainstUniform() {
        for (RegularizerType type : RegularizerType.values()) {
            if (type == RegularizerType.NONE) {
                continue;
            }
            PolicyGradientLearner learner = trained(config(type, ReferenceKind.UNIFORM, 0.7, 21), 9);
            check(learner, batch(new Random(2), 8, true), type + " alone");
            check(learner, batch(new Random(3), 8, false), type + " with policy gradient");
        }
    }

    @Test
    void boundedDivergencesAgainstEarlierPolicies() {
        for (RegularizerType type : List.of(RegularizerType.JS, RegularizerType.HELLINGER, RegularizerType.TV,
                RegularizerType.MMD)) {
            PolicyGradientLearner learner = PolicyGradientLearner.create(
                    config(type, ReferenceKind.PREVIOUS, 0.7, 31), DataType.DOUBLE);
            Random random = new Random(4);
            // Three earlier policies: the current weights after a few real steps each.
            for (int s = 0; s < 3; s++) {
                for (int i = 0; i < 5; i++) {
                    learner.step(batch(random, 8, false));
                }
                learner.rememberCurrentAsPrevious();
            }
            for (int i = 0; i < 5; i++) {
                learner.step(batch(random, 8, false));
            }
            assertTrue(learner.previousCount() == 3);
            check(learner, batch(new Random(5), 8, true), type + " vs previous, alone");
            check(learner, batch(new Random(6), 8, false), type + " vs previous, with policy gradient");
        }
    }
}
