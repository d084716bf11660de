package io.policyrec.feedback;

import io.policyrec.policy.Decision;
import io.policyrec.policy.RewardAggregation;
import io.policyrec.snapshot.JoinState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Joins rewards to decisions so that each decision is applied exactly once: with {@code earliest}
 * at its first reward, with {@code sum} and {@code max} when its window closes; a decision without
 * reward by the end of its window gets the default reward. Further, late and unknown rewards are
 * counted and otherwise ignored.
 *
 * <p>Time is event time, passed in by the caller: the decision's timestamp opens its window, a
 * reward counts if its own timestamp is inside it, and {@link #advanceTo} closes the windows
 * that ended before the given time. Fed the same events in the same order, it produces the same
 * joined stream: the HTTP path drives it with the wall clock, the Kafka path with record times.
 *
 * <p>Memory is bounded: pending decisions (their contexts above all) up to a byte budget, beyond
 * which the oldest are evicted unlearned and reported; finished decisions are remembered a while
 * longer (one window, up to a count) only to tell late and duplicate rewards from unknown ones.
 * A decision finished early (applied at its first reward, or evicted) leaves the deadline and
 * arrival queues lazily, but they are compacted once such leftovers outnumber the pending, so a
 * decision with a long window holds nothing but itself.
 *
 * <p>Not thread-safe: one thread drives it.
 */
public final class RewardJoin {

    /** Where the join's results go. */
    public interface Listener {
        void joined(JoinedDecision joined);

        void rejected(RejectReason reason);

        void evicted(Decision decision);
    }

    private enum State { PENDING, APPLIED, CLOSED, EVICTED }

    // Ties broken by log offset (or arrival), so that windows close in the same order on a replay.
    private static final Comparator<Entry> BY_DEADLINE = (a, b) -> {
        int c = Long.compare(a.deadline, b.deadline);
        if (c == 0) {
            c = Long.compare(a.order, b.order);
        }
        return c != 0 ? c : Long.compare(a.seq, b.seq);
    };
    /** Finished entries the queues may hold beyond the pending ones before they are compacted. */
    private static final int MIN_COMPACTION = 10_000;

    private static final class Entry {
        final String eventId;
        final String policy;
        final long incarnation;
        final JoinRule rule;
        final long deadline;
        final long offset;
        final long order;
        final long seq;
        final long footprint;
        Decision decision;
        State state = State.PENDING;
        int rewards;
        double sum;
        double max = Double.NEGATIVE_INFINITY;
        long forgetAt;

        Entry(Decision decision, JoinRule rule, long offset, long order, long seq) {
            this.eventId = decision.eventId();
            this.policy = decision.policy();
            this.incarnation = decision.incarnation();
            this.decision = decision;
            this.rule = rule;
            this.deadline = decision.timestamp() + rule.windowMillis();
            this.offset = offset;
            this.order = order;
            this.seq = seq;
            this.footprint = decision.footprintBytes();
        }
    }

    private final PendingBudget budget;
    private final int maxRemembered;
    private final Listener listener;
    private final Map<String, Entry> byId = new HashMap<>();
    /** Pending decisions, oldest first (the eviction order), and finished ones not yet dropped. */
    private final ArrayDeque<Entry> arrivalOrder = new ArrayDeque<>();
    /** Pending decisions by the end of their windows, and finished ones not yet dropped. */
    private final PriorityQueue<Entry> byDeadline = new PriorityQueue<>(BY_DEADLINE);
    /** Finished decisions still remembered, by when to forget them. */
    private final PriorityQueue<Entry> byForgetTime =
            new PriorityQueue<>((a, b) -> Long.compare(a.forgetAt, b.forgetAt));
    private long time = Long.MIN_VALUE;
    private long pendingBytes;
    private int pendingCount;
    private long arrivals;

    /**
     * @param maxPendingBytes heap budget for pending decisions
     * @param maxRemembered   finished decisions remembered to classify late and duplicate rewards
     */
    public RewardJoin(long maxPendingBytes, int maxRemembered, Listener listener) {
        this(new PendingBudget(maxPendingBytes), maxRemembered, listener);
    }

    /** A join that shares its pending budget with other joins of the same thread. */
    public RewardJoin(PendingBudget budget, int maxRemembered, Listener listener) {
        this.budget = budget;
        this.maxRemembered = maxRemembered;
        this.listener = listener;
    }

    public long pendingBytes() {
        return pendingBytes;
    }

    public int pendingCount() {
        return pendingCount;
    }

    /** Finished decisions still remembered to classify late and duplicate rewards. */
    public int rememberedCount() {
        return byId.size() - pendingCount;
    }

    /** Which policy (and incarnation) a known event id belongs to. */
    public record Owner(String policy, long incarnation) {
    }

    /** A new decision starts waiting for its rewards. */
    public void decided(Decision decision, JoinRule rule) {
        decided(decision, rule, -1);
    }

    /** A new decision read from the decision log at the given offset. */
    public void decided(Decision decision, JoinRule rule, long offset) {
        restore(decision, rule, offset, 0, 0, Double.NEGATIVE_INFINITY);
    }

    /** A pending decision as a snapshot recorded it, with the rewards it had collected. */
    public void restore(Decision decision, JoinRule rule, long offset, int rewards, double sum, double max) {
        if (byId.containsKey(decision.eventId())) {
            return;
        }
        arrivals++;
        Entry e = new Entry(decision, rule, offset, offset >= 0 ? offset : arrivals, arrivals);
        e.rewards = rewards;
        e.sum = sum;
        e.max = max;
        byId.put(e.eventId, e);
        arrivalOrder.addLast(e);
        byDeadline.add(e);
        pendingBytes += e.footprint;
        budget.add(e.footprint);
        pendingCount++;
        evictOverBudget();
    }

    /** The policy a known event id belongs to, or null. */
    public Owner ownerOf(String eventId) {
        Entry e = byId.get(eventId);
        return e == null ? null : new Owner(e.policy, e.incarnation);
    }

    /** The decisions of one policy still waiting for their windows, in log order. */
    public List<JoinState.Pending> pending(String policy, long incarnation) {
        List<JoinState.Pending> pending = new ArrayList<>();
        for (Entry e : byId.values()) {
            if (e.state == State.PENDING && e.incarnation == incarnation && e.policy.equals(policy)) {
                pending.add(new JoinState.Pending(e.offset, e.rewards, e.sum, e.max));
            }
        }
        pending.sort(Comparator.comparingLong(JoinState.Pending::offset));
        return pending;
    }

    /** A reward for an event id, observed at the given event time (and received then). */
    public void rewarded(String eventId, double reward, long eventTime) {
        rewarded(eventId, reward, eventTime, eventTime);
    }

    /** A reward for an event id that happened at eventTime and reached the service at receivedAt. */
    public void rewarded(String eventId, double reward, long eventTime, long receivedAt) {
        Entry e = byId.get(eventId);
        if (e == null) {
            listener.rejected(RejectReason.UNKNOWN);
            return;
        }
        switch (e.state) {
            case PENDING -> {
                if (eventTime > e.deadline) {
                    listener.rejected(RejectReason.LATE);
                } else if (e.rule.aggregation() == RewardAggregation.EARLIEST) {
                    finish(e, reward, true, State.APPLIED, receivedAt);
                } else {
                    e.rewards++;
                    e.sum += reward;
                    e.max = Math.max(e.max, reward);
                }
            }
            case APPLIED -> listener.rejected(eventTime > e.deadline || e.deadline < time ? RejectReason.LATE
                    : RejectReason.DUPLICATE);
            case CLOSED -> listener.rejected(RejectReason.LATE);
            case EVICTED -> listener.rejected(RejectReason.EVICTED);
        }
    }

    /** Closes every window that ended before the given time, then forgets what is old enough. */
    public void advanceTo(long time) {
        this.time = Math.max(this.time, time);
        while (!byDeadline.isEmpty() && byDeadline.peek().deadline < time) {
            Entry e = byDeadline.poll();
            if (e.state == State.PENDING) {
                boolean rewarded = e.rewards > 0;
                double reward = !rewarded ? e.rule.defaultReward()
                        : e.rule.aggregation() == RewardAggregation.MAX ? e.max : e.sum;
                finish(e, reward, rewarded, State.CLOSED, -1);
            }
        }
        while (!arrivalOrder.isEmpty() && arrivalOrder.peekFirst().state != State.PENDING) {
            arrivalOrder.pollFirst();
        }
        forgetOld();
    }

    private void forgetOld() {
        while (!byForgetTime.isEmpty()
                && (byForgetTime.peek().forgetAt < time || byForgetTime.size() > maxRemembered)) {
            byId.remove(byForgetTime.poll().eventId);
        }
    }

    private void finish(Entry e, double reward, boolean rewarded, State next, long receivedAt) {
        Decision d = e.decision;
        release(e, next);
        listener.joined(new JoinedDecision(d, reward, rewarded, e.offset, receivedAt));
    }

    private void release(Entry e, State next) {
        e.state = next;
        e.decision = null;
        pendingBytes -= e.footprint;
        budget.add(-e.footprint);
        pendingCount--;
        // Remembered until one window after its own closed, and at most maxRemembered of them.
        e.forgetAt = e.deadline + e.rule.windowMillis();
        byForgetTime.add(e);
        forgetOld();
        compact();
    }

    /** Drops finished entries from the queues once they outnumber the pending ones (amortized O(1)). */
    private void compact() {
        int limit = Math.max(MIN_COMPACTION, 2 * pendingCount);
        if (byDeadline.size() > limit) {
            byDeadline.removeIf(e -> e.state != State.PENDING);
        }
        if (arrivalOrder.size() > limit) {
            arrivalOrder.removeIf(e -> e.state != State.PENDING);
        }
    }

    private void evictOverBudget() {
        while (budget.exceeded() && !arrivalOrder.isEmpty()) {
            Entry e = arrivalOrder.pollFirst();
            if (e.state == State.PENDING) {
                Decision d = e.decision;
                release(e, State.EVICTED);
                listener.evicted(d);
            }
        }
    }
}
