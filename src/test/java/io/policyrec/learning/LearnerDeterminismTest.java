package io.policyrec.learning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.policyrec.policy.ReferenceKind;
import io.policyrec.policy.RegularizerType;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The same seed, decisions and rewards give bit-identical weights, also across save and restore. */
class LearnerDeterminismTest {

    static List<List<RewardedDecision>> batches(long seed, int count) {
        Random random = new Random(seed);
        return java.util.stream.IntStream.range(0, count)
                .mapToObj(i -> PolicyGradientCheckTest.batch(random, 8, false)).toList();
    }

    @Test
    void sameInputsGiveBitIdenticalWeights() {
        var config = PolicyGradientCheckTest.config(RegularizerType.JS, ReferenceKind.PREVIOUS, 0.3, 99);
        PolicyGradientLearner a = PolicyGradientLearner.create(config, DataType.FLOAT);
        PolicyGradientLearner b = PolicyGradientLearner.create(config, DataType.FLOAT);
        double[] initial = a.params();
        int i = 0;
        for (List<RewardedDecision> batch : batches(3, 40)) {
            a.step(batch);
            b.step(batch);
            if (++i % 10 == 0) {
                a.rememberCurrentAsPrevious();
                b.rememberCurrentAsPrevious();
            }
        }
        assertFalse(Arrays.equals(initial, a.params()), "learning must move the weights");
        assertArrayEquals(a.params(), b.params());
    }

    @Test
    void restoringASavedStateContinuesExactly() {
        var config = PolicyGradientCheckTest.config(RegularizerType.ENTROPY, ReferenceKind.UNIFORM, 0.3, 7);
        List<List<RewardedDecision>> data = batches(4, 30);
        PolicyGradientLearner uninterrupted = PolicyGradientLearner.create(config, DataType.FLOAT);
        data.forEach(uninterrupted::step);

        PolicyGradientLearner first = PolicyGradientLearner.create(config, DataType.FLOAT);
        data.subList(0, 17).forEach(first::step);
        PolicyGradientLearner resumed = PolicyGradientLearner.restore(config, first.state());
        data.subList(17, 30).forEach(resumed::step);

        assertArrayEquals(uninterrupted.params(), resumed.params());
        assertArrayEquals(uninterrupted.state().optimizerState(), resumed.state().optimizerState());
    }

    @Test
    void aBatchWithAnAbsurdRewardIsSkippedNotLearned() {
        var config = PolicyGradientCheckTest.config(RegularizerType.ENTROPY, ReferenceKind.UNIFORM, 0.3, 5);
        PolicyGradientLearner learner = PolicyGradientLearner.create(config, DataType.FLOAT);
        List<RewardedDecision> batch = batches(6, 1).get(0);
        List<RewardedDecision> absurd = new java.util.ArrayList<>(batch);
        RewardedDecision d = absurd.get(0);
        absurd.set(0, new RewardedDecision(d.context(), d.eligible(), d.action(), d.loggedProbability(), 1e300));
        double[] before = learner.params();
        double baseline = learner.baseline();
        learner.step(absurd);
        assertArrayEquals(before, learner.params(), "weights untouched");
        org.junit.jupiter.api.Assertions.assertEquals(baseline, learner.baseline(), "baseline untouched");
        org.junit.jupiter.api.Assertions.assertEquals(1, learner.skippedSteps());
        learner.step(batch);
        assertFalse(Arrays.equals(before, learner.params()), "the next sane batch is learned");
        org.junit.jupiter.api.Assertions.assertTrue(Arrays.stream(learner.params()).allMatch(Double::isFinite));
    }
}
