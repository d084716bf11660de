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
 * open and are learned with their real value, not the default. A reward routed before its decision
 * reached the log waits for it, across a snapshot and a restore too.
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

    /** The two logs of one partition, written as a test goes, read by as many learners as it likes. */
    final List<LogRecord> decisionLog = new ArrayList<>();
    final List<LogRecord> routedLog = new ArrayList<>();

    void logDecision(String id, long time) {
        Decision d = new Decision(id, "w", 1, 0, time, Context.dense(new float[] {1, 0, id.charAt(0) % 2}), null,
                new int[] {1}, new double[] {0.3});
        decisionLog.add(new LogRecord(decisionLog.size(), time, DecisionCodec.encode(d)));
    }

    void logReward(String id, double reward, long time) {
        routedLog.add(new LogRecord(routedLog.size(), time, new RoutedFeedback(id, reward, time, time).encode()));
    }

    void logCertificates(long time) {
        for (int fp = 0; fp < 2; fp++) {
            routedLog.add(new LogRecord(routedLog.size(), time, new RouterWatermark(fp, 2, time).encode()));
        }
    }

    /** Offers what the logs hold from these offsets on, then processes it. */
    static void read(PartitionLearner p, List<LogRecord> decisions, List<LogRecord> routed, long decisionsFrom,
                     long routedFrom, long[] readUpTo) {
        decisions.stream().filter(r -> r.offset() >= Math.max(decisionsFrom, readUpTo[0])).forEach(p::offerDecision);
        routed.stream().filter(r -> r.offset() >= Math.max(routedFrom, readUpTo[1])).forEach(p::offerFeedback);
        readUpTo[0] = decisions.size();
        readUpTo[1] = routed.size();
        p.process(100_000, true, true, 0, 0);
    }

    static PartitionLearner learner(long orphanWait, SimpleMeterRegistry meters, List<String> joined) {
        PartitionLearner p = new PartitionLearner(0, new PendingBudget(1L << 30), 1000, new JoinMetrics(meters),
                d -> Optional.empty());
        p.holdOrphans(orphanWait, 1000);
        p.observe(j -> joined.add(j.decision().eventId() + "=" + j.reward()));
        return p;
    }

    /** A learner of a new policy "w", reading both logs from their first records. */
    static PartitionLearner learningFromTheStart(long orphanWait, SimpleMeterRegistry meters, List<String> joined) {
        PartitionLearner p = learner(orphanWait, meters, joined);
        p.adopt(PolicyLearning.created("w", 1, CONFIG, 0, PolicyGradientLearner.create(CONFIG, DataType.FLOAT), 0,
                LearningObserver.NONE), null, 0, 0);
        p.positioned(0, 0);
        return p;
    }

    static double unknown(SimpleMeterRegistry meters) {
        return meters.get("policyrec_feedback_rejected_total").tag("reason", "unknown").counter().count();
    }

    @Test
    void aRewardRoutedBeforeItsDecisionReachedTheLogWaitsForIt() {
        Nd4jRuntime.ensureStarted();
        for (long wait : new long[] {60_000, 0}) {
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            List<String> joined = new ArrayList<>();
            PartitionLearner p = learningFromTheStart(wait, meters, joined);
            long[] read = new long[2];
            decisionLog.clear();
            routedLog.clear();
            logCertificates(900);
            logDecision("a", 1000);
            // b's decision was made at 1200, but its serving instance's producer held it through a broker
            // restart: its reward (1300) is routed, and the windows of 1 s move on, before it is logged.
            logReward("b", 1.0, 1300);
            logReward("a", 0.5, 1250);
            logReward("z", 1.0, 1400); // a decision that never comes
            logCertificates(5000);
            read(p, decisionLog, routedLog, 0, 0, read);
            logDecision("b", 1200);
            logCertificates(9000);
            read(p, decisionLog, routedLog, 0, 0, read);
            if (wait > 0) {
                assertEquals(List.of("a=0.5", "b=1.0"), joined, "b learned with the reward that waited for it");
                assertEquals(0, unknown(meters), "z still waits");
                logCertificates(70_000);
                read(p, decisionLog, routedLog, 0, 0, read);
                assertEquals(1, unknown(meters), "z unknown once its wait is over");
            } else {
                assertEquals(List.of("a=0.5", "b=0.0"), joined, "without the wait: b closes with the default");
                assertEquals(2, unknown(meters));
            }
        }
    }

    @Test
    void aRewardHeldAtTheCutOfASnapshotIsLearnedOnceAfterARestore() throws Exception {
        Nd4jRuntime.ensureStarted();
        logCertificates(900);
        logDecision("a", 1000);
        logReward("b", 1.0, 1300);
        logReward("a", 0.5, 1250);
        logCertificates(1400);
        int cutDecisions = decisionLog.size();
        int cutRouted = routedLog.size();
        logDecision("b", 1200);
        logDecision("c", 1500);
        logReward("c", 0.25, 1600);
        logCertificates(9000);

        // Uninterrupted: both halves of the logs.
        List<String> straight = new ArrayList<>();
        PartitionLearner whole = learningFromTheStart(60_000, new SimpleMeterRegistry(), straight);
        read(whole, decisionLog.subList(0, cutDecisions), routedLog.subList(0, cutRouted), 0, 0, new long[2]);
        read(whole, decisionLog, routedLog, 0, 0, new long[] {cutDecisions, cutRouted});
        assertEquals(List.of("a=0.5", "b=1.0", "c=0.25"), straight);

        // Interrupted at the cut, while b's reward waits for b: a snapshot (through the codec), a new
        // learner restored from it, reading both logs again from the positions it names.
        List<String> before = new ArrayList<>();
        PartitionLearner first = learningFromTheStart(60_000, new SimpleMeterRegistry(), before);
        read(first, decisionLog.subList(0, cutDecisions), routedLog.subList(0, cutRouted), 0, 0, new long[2]);
        io.policyrec.snapshot.StoredPolicy cut = io.policyrec.snapshot.SnapshotCodec.decode(
                io.policyrec.snapshot.SnapshotCodec.encode(first.snapshots(2000).get(0)));
        assertEquals(1, cut.join().orphans().size(), "b's reward is held at the cut: " + cut.join());

        List<String> after = new ArrayList<>();
        PartitionLearner restored = learner(60_000, new SimpleMeterRegistry(), after);
        restored.adopt(PolicyLearning.restored(cut, 2000, LearningObserver.NONE), cut, 0, 0);
        restored.positioned(restored.decisionsStart(), restored.feedbackStart());
        read(restored, decisionLog, routedLog, restored.decisionsStart(), restored.feedbackStart(), new long[2]);
        List<String> all = new ArrayList<>(before);
        all.addAll(after);
        assertEquals(straight, all, "each decision learned once, with the same rewards");
        org.junit.jupiter.api.Assertions.assertArrayEquals(whole.policies().get("w").learner().state().params(),
                restored.policies().get("w").learner().state().params(), "the same weights as the uninterrupted run");
    }

    /**
     * A reward routed late (its event time long past) that reaches the learner before the decision
     * it belongs to, although that decision was logged first: the consumer had judged the decision
     * log caught up from a stale end. It waits for the decision as a fresh reward would, so the
     * rewards are learned in the order a replay of the same logs learns them.
     */
    @Test
    void aLateRoutedRewardWaitsGraceAfterArrivingForADecisionNotReadYet() {
        Nd4jRuntime.ensureStarted();
        logCertificates(900);
        logDecision("a", 1000);
        logDecision("b", 1200);
        logReward("b", 1.0, 1300);
        logReward("a", 0.5, 1250);
        logDecision("c", 1400);
        logReward("c", 0.25, 1450);
        logCertificates(9000);
        List<String> replay = new ArrayList<>();
        read(learningFromTheStart(60_000, new SimpleMeterRegistry(), replay), decisionLog, routedLog, 0, 0,
                new long[2]);
        assertEquals(List.of("b=1.0", "a=0.5", "c=0.25"), replay, "a replay learns the rewards in their log's order");

        // Live: at 2000 (grace 100) the learner has read a and the rewards of a and b, not b yet.
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        List<String> live = new ArrayList<>();
        PartitionLearner p = learningFromTheStart(60_000, meters, live);
        p.offerFeedback(arrived(routedLog.get(0), 1950));
        p.offerFeedback(arrived(routedLog.get(1), 1950));
        p.offerDecision(arrived(decisionLog.get(0), 1950));
        p.offerFeedback(arrived(routedLog.get(2), 2000));
        p.offerFeedback(arrived(routedLog.get(3), 2000));
        p.process(2000, true, true, 100, 0);
        assertEquals(List.of(), live, "b's reward waits for b although its event time is 700 ms past");
        assertEquals(0, meters.get("policyrec_feedback_held_total").counter().count());
        p.offerDecision(arrived(decisionLog.get(1), 2030));
        p.process(2030, true, true, 100, 0);
        assertEquals(List.of("b=1.0", "a=0.5"), live, "in the replay's order");

        // c's decision comes more than grace after its reward: the reward is held for it, not lost.
        p.offerFeedback(arrived(routedLog.get(4), 2040));
        p.offerFeedback(arrived(routedLog.get(5), 2040));
        p.offerFeedback(arrived(routedLog.get(6), 2040));
        p.process(2100, true, true, 100, 0);
        assertEquals(0, meters.get("policyrec_feedback_held_total").counter().count(), "it waits until 2140");
        p.process(2141, true, true, 100, 0);
        assertEquals(1, meters.get("policyrec_feedback_held_total").counter().count());
        p.offerDecision(arrived(decisionLog.get(2), 2500));
        p.process(2500, true, true, 100, 0);
        assertEquals(replay, live);
    }

    static LogRecord arrived(LogRecord r, long at) {
        return new LogRecord(r.offset(), r.timestamp(), r.value(), at);
    }

    @Test
    void aRewardAheadOfTheFirstDecisionOfAPolicyCreatedElsewhereWaitsForIt() {
        Nd4jRuntime.ensureStarted();
        List<String> joined = new ArrayList<>();
        // The policy is not known here until its first decision arrives (created on another instance).
        PartitionLearner p = new PartitionLearner(0, new PendingBudget(1L << 30), 1000,
                new JoinMetrics(new SimpleMeterRegistry()), d -> Optional.of(PolicyLearning.created("w", 1, CONFIG, 0,
                        PolicyGradientLearner.create(CONFIG, DataType.FLOAT), 0, LearningObserver.NONE)));
        p.holdOrphans(60_000, 1000);
        p.observe(j -> joined.add(j.decision().eventId() + "=" + j.reward()));
        p.positioned(0, 0);
        long[] read = new long[2];
        logCertificates(900);
        logReward("b", 1.0, 1300);
        logCertificates(1400);
        read(p, decisionLog, routedLog, 0, 0, read);
        logDecision("b", 1200);
        logCertificates(9000);
        read(p, decisionLog, routedLog, 0, 0, read);
        assertEquals(List.of("b=1.0"), joined, "b's reward waited for the policy's first decision");
    }
}
