package io.policyrec.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.policyrec.policy.Context;
import io.policyrec.policy.Decision;
import io.policyrec.policy.RewardAggregation;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The join's semantics on known inputs, in event time. */
class RewardJoinTest {

    static final class Recorder implements RewardJoin.Listener {
        final List<JoinedDecision> joined = new ArrayList<>();
        final Map<RejectReason, Integer> rejected = new EnumMap<>(RejectReason.class);
        final List<Decision> evicted = new ArrayList<>();
        final Map<RewardJoin.Activation, Integer> activations = new EnumMap<>(RewardJoin.Activation.class);
        final List<Decision> neverActivated = new ArrayList<>();

        @Override
        public void joined(JoinedDecision j) {
            joined.add(j);
        }

        @Override
        public void rejected(RejectReason reason) {
            rejected.merge(reason, 1, Integer::sum);
        }

        @Override
        public void evicted(Decision decision) {
            evicted.add(decision);
        }

        @Override
        public void activation(RewardJoin.Activation outcome) {
            activations.merge(outcome, 1, Integer::sum);
        }

        @Override
        public void neverActivated(Decision decision) {
            neverActivated.add(decision);
        }

        int count(RejectReason r) {
            return rejected.getOrDefault(r, 0);
        }

        int count(RewardJoin.Activation a) {
            return activations.getOrDefault(a, 0);
        }
    }

    static Decision deferred(String id, long time) {
        return new Decision(id, "p", 1, 0, time, Context.dense(new float[10]), null, new int[] {0},
                new double[] {0.5}, new io.policyrec.policy.Candidate[] {
                        new io.policyrec.policy.Candidate(0, new Context(new int[] {3}, new float[] {1f})),
                        new io.policyrec.policy.Candidate(1, new Context(new int[] {4}, new float[] {1f}))}, true);
    }

    @Test
    void aDeferredDecisionNeverActivatedIsNeverLearnedEvenWithRewards() {
        Recorder r = new Recorder();
        RewardJoin join = new RewardJoin(1 << 20, 1000, r);
        join.decided(deferred("d", 0), rule(RewardAggregation.EARLIEST));
        join.rewarded("d", 1.0, 100);
        assertEquals(0, r.joined.size(), "an earliest reward waits for the activation");
        join.advanceTo(2000);
        assertEquals(0, r.joined.size());
        assertEquals(1, r.neverActivated.size());
        join.rewarded("d", RewardJoin.ACTIVATION, 2100);
        assertEquals(1, r.count(RewardJoin.Activation.LATE));
        assertEquals(0, r.joined.size());
    }

    @Test
    void anActivatedDecisionIsLearnedWithItsEarliestRewardOrTheDefault() {
        Recorder r = new Recorder();
        RewardJoin join = new RewardJoin(1 << 20, 1000, r);
        join.decided(deferred("rewarded-first", 0), rule(RewardAggregation.EARLIEST));
        join.decided(deferred("activated-only", 0), rule(RewardAggregation.EARLIEST));
        join.decided(deferred("activated-then-rewarded", 0), rule(RewardAggregation.EARLIEST));
        join.rewarded("rewarded-first", 0.75, 100);
        join.rewarded("rewarded-first", 0.25, 150);
        join.rewarded("rewarded-first", RewardJoin.ACTIVATION, 200);
        assertEquals(1, r.joined.size(), "activated with a reward already in: learned at once");
        assertEquals(0.75, r.joined.get(0).reward());
        assertEquals(1, r.count(RejectReason.DUPLICATE));
        join.rewarded("activated-only", RewardJoin.ACTIVATION, 300);
        join.rewarded("activated-then-rewarded", RewardJoin.ACTIVATION, 300);
        join.rewarded("activated-then-rewarded", 1.0, 400);
        assertEquals(2, r.joined.size());
        assertEquals(1.0, r.joined.get(1).reward());
        join.advanceTo(2000);
        assertEquals(3, r.joined.size());
        assertEquals(-0.5, r.joined.get(2).reward(), "activated without a reward: the default reward");
        assertFalse(r.joined.get(2).rewarded());
        assertEquals(3, r.count(RewardJoin.Activation.ACTIVATED));
        assertTrue(r.neverActivated.isEmpty());
    }

    @Test
    void activatingWhatIsNotDeferredOrUnknownChangesNothing() {
        Recorder r = new Recorder();
        RewardJoin join = new RewardJoin(1 << 20, 1000, r);
        join.decided(decision("a", 0), rule(RewardAggregation.SUM));
        join.rewarded("a", RewardJoin.ACTIVATION, 10);
        join.rewarded("nobody", RewardJoin.ACTIVATION, 10);
        assertEquals(1, r.count(RewardJoin.Activation.NOT_DEFERRED));
        assertEquals(1, r.count(RewardJoin.Activation.UNKNOWN));
        assertEquals(0, r.count(RejectReason.UNKNOWN), "an activation is not a reward");
        join.advanceTo(2000);
        assertEquals(1, r.joined.size());
    }

    @Test
    void aSnapshotKeepsWhetherADeferredDecisionWasActivated() {
        Recorder r = new Recorder();
        RewardJoin join = new RewardJoin(1 << 20, 1000, r);
        join.decided(deferred("x", 0), rule(RewardAggregation.SUM), 7);
        join.decided(deferred("y", 0), rule(RewardAggregation.SUM), 8);
        join.rewarded("y", RewardJoin.ACTIVATION, 10);
        List<io.policyrec.snapshot.JoinState.Pending> pending = join.pending("p", 1);
        assertFalse(pending.get(0).activated());
        assertTrue(pending.get(1).activated());
        Recorder r2 = new Recorder();
        RewardJoin restored = new RewardJoin(1 << 20, 1000, r2);
        for (var p : pending) {
            restored.restore(deferred(p.offset() == 7 ? "x" : "y", 0), rule(RewardAggregation.SUM), p.offset(),
                    p.rewards(), p.sum(), p.max(), p.activated());
        }
        restored.advanceTo(2000);
        assertEquals(1, r2.joined.size());
        assertEquals("y", r2.joined.get(0).decision().eventId());
        assertEquals(1, r2.neverActivated.size());
    }

    static Decision decision(String id, long time) {
        return new Decision(id, "p", 1, 0, time, Context.dense(new float[10]), null, new int[] {2}, new double[] {0.25});
    }

    static JoinRule rule(RewardAggregation aggregation) {
        return new JoinRule(1000, aggregation, -0.5);
    }

    @Test
    void earliestAppliesAtTheFirstRewardOnly() {
        Recorder r = new Recorder();
        RewardJoin join = new RewardJoin(1 << 20, 1000, r);
        join.decided(decision("a", 0), rule(RewardAggregation.EARLIEST));
        join.rewarded("a", 1.0, 100);
        assertEquals(1, r.joined.size());
        assertEquals(1.0, r.joined.get(0).reward());
        assertTrue(r.joined.get(0).rewarded());
        join.rewarded("a", 0.3, 200);
        assertEquals(1, r.count(RejectReason.DUPLICATE));
        join.advanceTo(5000);
        join.rewarded("a", 0.3, 200);
        assertEquals(1, r.joined.size());
        assertEquals(0, join.pendingCount());
    }

    @Test
    void sumAndMaxApplyAtWindowClose() {
        for (RewardAggregation aggregation : List.of(RewardAggregation.SUM, RewardAggregation.MAX)) {
            Recorder r = new Recorder();
            RewardJoin join = new RewardJoin(1 << 20, 1000, r);
            join.decided(decision("a", 0), rule(aggregation));
            join.rewarded("a", 1.0, 100);
            join.rewarded("a", 3.0, 500);
            join.rewarded("a", -2.0, 1000);
            join.advanceTo(1000);
            assertTrue(r.joined.isEmpty(), "the window [0, 1000] is still open at 1000");
            join.advanceTo(1001);
            assertEquals(1, r.joined.size());
            assertEquals(aggregation == RewardAggregation.SUM ? 2.0 : 3.0, r.joined.get(0).reward());
            join.rewarded("a", 5.0, 900);
            assertEquals(1, r.count(RejectReason.LATE), "after the close every reward is late");
            join.advanceTo(10_000);
            assertEquals(1, r.joined.size());
        }
    }

    @Test
    void defaultRewardWhenNothingCame() {
        Recorder r = new Recorder();
        RewardJoin join = new RewardJoin(1 << 20, 1000, r);
        join.decided(decision("a", 0), rule(RewardAggregation.SUM));
        join.decided(decision("b", 10), rule(RewardAggregation.EARLIEST));
        join.advanceTo(2000);
        assertEquals(2, r.joined.size());
        for (JoinedDecision j : r.joined) {
            assertEquals(-0.5, j.reward());
            assertFalse(j.rewarded());
        }
        assertEquals("a", r.joined.get(0).decision().eventId(), "closed in deadline order");
    }

    @Test
    void rewardsStampedAfterTheWindowAreLateAndUnknownIdsAreUnknown() {
        Recorder r = new Recorder();
        RewardJoin join = new RewardJoin(1 << 20, 1000, r);
        join.decided(decision("a", 0), rule(RewardAggregation.EARLIEST));
        join.rewarded("a", 1.0, 1001);
        join.rewarded("zzz", 1.0, 10);
        assertEquals(1, r.count(RejectReason.LATE));
        assertEquals(1, r.count(RejectReason.UNKNOWN));
        assertTrue(r.joined.isEmpty());
        join.rewarded("a", 0.7, 1000);
        assertEquals(0.7, r.joined.get(0).reward());
    }

    @Test
    void theOldestPendingDecisionsAreEvictedBeyondTheBudget() {
        Recorder r = new Recorder();
        long one = decision("d0", 0).footprintBytes();
        RewardJoin join = new RewardJoin(3 * one, 1000, r);
        for (int i = 0; i < 5; i++) {
            join.decided(decision("d" + i, i), rule(RewardAggregation.EARLIEST));
        }
        assertEquals(List.of("d0", "d1"), r.evicted.stream().map(Decision::eventId).toList());
        assertEquals(3, join.pendingCount());
        assertTrue(join.pendingBytes() <= 3 * one);
        join.rewarded("d0", 1.0, 10);
        assertEquals(1, r.count(RejectReason.EVICTED));
        join.rewarded("d4", 1.0, 10);
        assertEquals(1, r.joined.size());
        join.advanceTo(10_000);
        assertEquals(3, r.joined.size(), "d2 and d3 get the default, evicted ones nothing");
    }

    @Test
    void finishedDecisionsAreForgottenAfterAnotherWindow() {
        Recorder r = new Recorder();
        RewardJoin join = new RewardJoin(1 << 20, 1000, r);
        join.decided(decision("a", 0), rule(RewardAggregation.EARLIEST));
        join.advanceTo(1500);
        join.rewarded("a", 1.0, 1500);
        assertEquals(1, r.count(RejectReason.LATE));
        join.advanceTo(2500);
        join.rewarded("a", 1.0, 2500);
        assertEquals(1, r.count(RejectReason.UNKNOWN), "forgotten one window after its close");
    }

    @Test
    void rememberedDecisionsAreBoundedByCount() {
        Recorder r = new Recorder();
        RewardJoin join = new RewardJoin(1 << 30, 10, r);
        for (int i = 0; i < 100; i++) {
            join.decided(decision("d" + i, i), rule(RewardAggregation.EARLIEST));
        }
        join.advanceTo(1200);
        join.rewarded("d0", 1.0, 1200);
        join.rewarded("d99", 1.0, 1200);
        assertEquals(1, r.count(RejectReason.UNKNOWN));
        assertEquals(1, r.count(RejectReason.LATE));
    }

    @Test
    void aLongWindowHoldsOnlyItsOwnDecision() {
        Recorder r = new Recorder();
        RewardJoin join = new RewardJoin(1 << 30, 10, r);
        join.decided(decision("week", 0), new JoinRule(7L * 24 * 3600 * 1000, RewardAggregation.SUM, 0));
        for (int i = 0; i < 1000; i++) {
            join.decided(decision("d" + i, i), rule(RewardAggregation.EARLIEST));
            join.rewarded("d" + i, 1.0, i);
        }
        assertEquals(1000, r.joined.size());
        assertEquals(1, join.pendingCount());
        assertEquals(10, join.rememberedCount(), "finished decisions stay bounded while the long window is open");
        join.rewarded("d999", 1.0, 999);
        assertEquals(1, r.count(RejectReason.DUPLICATE), "the most recent are still recognised");
    }

    @Test
    void slotsAndArenaAreReusedUnderEvictionAndRewardsFindTheirOwnDecision() {
        Recorder r = new Recorder();
        long one = decision(id(0), 0).footprintBytes();
        RewardJoin join = new RewardJoin(100 * one, 50, r);
        JoinRule longWindow = new JoinRule(1_000_000, RewardAggregation.EARLIEST, -0.5);
        for (int i = 0; i < 20_000; i++) {
            join.decided(decision(id(i), i), longWindow);
            join.advanceTo(i);
            if (i % 3 == 0) {
                join.rewarded(id(i), i, i);
            }
        }
        // Every third was rewarded at once; the rest were evicted oldest first, 100 at most waiting.
        assertEquals(100, join.pendingCount());
        assertEquals(20_000 / 3 + 1, r.joined.size());
        for (JoinedDecision j : r.joined) {
            assertEquals(id((int) j.reward()), j.decision().eventId(), "a reused slot kept another's reward");
            assertEquals((long) j.reward(), j.decision().timestamp());
        }
        assertEquals(20_000 - r.joined.size() - 100, r.evicted.size());
        assertTrue(join.slotsUsed() <= 100 + 50 + 2, "slots of forgotten decisions are reused: " + join.slotsUsed());
        assertTrue(join.arenaCapacity() <= 2 << 20, "the arena is reused, not grown: " + join.arenaCapacity());
        join.rewarded(id(19_999), 1.0, 19_999);
        assertEquals(id(19_999), r.joined.get(r.joined.size() - 1).decision().eventId());
        join.rewarded(id(19_997), 1.0, 19_999);
        assertEquals(id(19_997), r.joined.get(r.joined.size() - 1).decision().eventId(), "still pending");
        join.rewarded(id(19_998), 1.0, 19_999);
        assertEquals(1, r.count(RejectReason.DUPLICATE), "rewarded at once, and remembered as such");
        join.rewarded(id(5), 1.0, 19_999);
        assertEquals(1, r.count(RejectReason.UNKNOWN), "forgotten long ago: its slot serves another decision");
    }

    /** Ids of one length, so that every decision has the same footprint. */
    private static String id(int i) {
        return "d" + (100_000 + i);
    }
}
