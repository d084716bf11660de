package io.policyrec.learning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.policyrec.policy.ReferenceKind;
import io.policyrec.policy.RegularizerType;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Mini-batches: a batch is learned in the order of its decisions' log offsets, whatever order they joined in. */
class PolicyTrainerTest {

    @Test
    void theSameDecisionsJoinedInAnotherOrderGiveBitIdenticalWeights() {
        var config = PolicyGradientCheckTest.config(RegularizerType.ENTROPY, ReferenceKind.UNIFORM, 0.3, 21);
        Random random = new Random(21);
        PolicyTrainer inOrder = new PolicyTrainer(PolicyGradientLearner.create(config, DataType.FLOAT), 8);
        PolicyTrainer shuffled = new PolicyTrainer(PolicyGradientLearner.create(config, DataType.FLOAT), 8);
        double[] initial = inOrder.learner().state().params();
        for (int round = 0; round < 20; round++) {
            List<RewardedDecision> batch = PolicyGradientCheckTest.batch(random, 8, false);
            long first = 8L * round;
            for (int i = 0; i < 8; i++) {
                inOrder.add(batch.get(i), first + i, 0);
            }
            // As a restored learner may join them: rewards it held first, the others as they come.
            int[] order = {7, 5, 0, 1, 2, 3, 6, 4};
            StepReport step = null;
            for (int i : order) {
                step = shuffled.add(batch.get(i), first + i, 0);
            }
            assertNotNull(step, "the eighth decision completes the batch");
            assertArrayEquals(java.util.stream.LongStream.range(first, first + 8).toArray(), shuffled.learnedKeys(),
                    "learned in offset order");
        }
        List<RewardedDecision> partial = PolicyGradientCheckTest.batch(random, 3, false);
        shuffled.add(partial.get(0), 500, 0);
        shuffled.add(partial.get(1), 498, 0);
        shuffled.add(partial.get(2), 499, 0);
        assertArrayEquals(new long[] {500, 498, 499}, shuffled.keys(), "a partial batch's keys, as it holds them");
        assertArrayEquals(partial.toArray(), shuffled.batch().toArray());
        double[] expected = inOrder.learner().state().params();
        assertFalse(Arrays.equals(initial, expected), "learning must move the weights");
        assertArrayEquals(expected, shuffled.learner().state().params());
        assertArrayEquals(inOrder.learner().state().optimizerState(), shuffled.learner().state().optimizerState());
    }

    @Test
    void theOrderIsStableByKeyForSmallAndLargeBatches() {
        Random random = new Random(5);
        for (int n : new int[] {1, 7, 64, 65, 3000}) {
            long[] keys = new long[n];
            for (int i = 0; i < n; i++) {
                keys[i] = random.nextInt(n / 3 + 1) - 1; // repeats, and -1 (no log) among them
            }
            int[] expected = java.util.stream.IntStream.range(0, n).boxed()
                    .sorted(java.util.Comparator.comparingLong(i -> keys[i])).mapToInt(Integer::intValue).toArray();
            assertArrayEquals(expected, PolicyTrainer.order(keys, n), "n = " + n);
        }
    }
}
