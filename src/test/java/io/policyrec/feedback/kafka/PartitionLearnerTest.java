package io.policyrec.feedback.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.policyrec.feedback.JoinMetrics;
import io.policyrec.feedback.PendingBudget;
import io.policyrec.feedback.PolicyLearning;
import io.policyrec.feedback.RoutedFeedback;
import io.policyrec.learning.Nd4jRuntime;
import io.policyrec.learning.PolicyGradientLearner;
import io.policyrec.metrics.LearningObserver;
import io.policyrec.policy.ActionSet;
import io.policyrec.policy.BaselineKind;
import io.policyrec.policy.Context;
import io.policyrec.policy.Decision;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.RegularizerSettings;
import io.policyrec.policy.RewardAggregation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Windows close only as far as every feedback partition's router has certified: a dead router's
 * rewards, routed later by the instance that takes its partition over, still find their decisions
 * open and are learned with their real value, not the default.
 */
class PartitionLearnerTest {
    static final PolicyConfig CONFIG = new PolicyConfig(3, ActionSet.ofCount(3), List.of(4), 0.01, 1,
            RegularizerSettings.defaults(), 0.0, Duration.ofSeconds(1), 0.0, RewardAggregation.EARLIEST, 5,
            BaselineKind.MEAN, 10.0);

    long routedOffset;

    void decide(PartitionLearner p, long offset, String id, long time) {
        Decision d = new Decision(id, "w", 1, 0, time, Context.dense(new float[] {1, 0, 0}), null, new int[] {1},
                new double[] {0.3});
        p.offerDecision(new LogRecord(offset, time, DecisionCodec.encode(d)));
    }

    void reward(PartitionLearner p, String id, double reward, long time) {
        p.offerFeedback(new LogRecord(routedOffset++, time, new RoutedFeedback(id, reward, time, time).encode()));
    }

    void certify(PartitionLearner p, int feedbackPartition, long time) {
        p.offerFeedback(new LogRecord(routedOffset++, time, new RouterWatermark(feedbackPartition, 2, time).encode()));
    }

    @Test
    void aDeadRoutersRewardsFindTheirDecisionsStillOpen() {
        Nd4jRuntime.ensureStarted();
        PartitionLearner p = new PartitionLearner(0, new PendingBudget(1L << 30), 1000,
                new JoinMetrics(new SimpleMeterRegistry()), d -> Optional.empty());
        List<String> joined = new ArrayList<>();
        p.observe(j -> joined.add(j.decision().eventId() + "=" + j.reward()));
        p.adopt(PolicyLearning.created("w", 1, CONFIG, 0, PolicyGradientLearner.create(CONFIG, DataType.FLOAT), 0,
                LearningObserver.NONE), null, 0, 0);
        p.positioned(0, 0);

        certify(p, 0, 900);
        certify(p, 1, 900);
        decide(p, 0, "a", 1000);
        decide(p, 1, "b", 1100);
        decide(p, 2, "c", 1150);
        // Router 0 routes a's reward and goes on certifying; router 1 died holding b's reward.
        reward(p, "a", 1.0, 1200);
        certify(p, 0, 5000);
        p.process(10_000, true, true, 0, 0);
        assertEquals(List.of("a=1.0"), joined, "b and c stay open: feedback partition 1 is certified only to 900");

        // Another instance takes partition 1 over and routes what waited, then certifies it.
        reward(p, "b", 0.5, 1300);
        certify(p, 1, 9000);
        p.process(10_000, true, true, 0, 0);
        assertEquals(List.of("a=1.0", "b=0.5", "c=0.0"), joined,
                "b learned with its own reward; c, never rewarded, closed with the default once both are certified");
        assertTrue(p.routedUpTo() == 5000, "the least certified time: " + p.routedUpTo());
    }
}
