package io.policyrec.feedback;

import io.policyrec.policy.Decision;
import io.policyrec.policy.RewardAggregation;
import io.policyrec.snapshot.JoinState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
 * The budget counts each decision's heap footprint as a {@link Decision} would hold it
 * ({@link Decision#footprintBytes()}), although the join keeps it without objects: each decision
 * is a slot in primitive columns ({@link JoinSlots}), its id in an open-addressing table
 * ({@link EventIdTable}), its context, draws and candidates a record in int segments ({@link DecisionArena}),
 * its place in the deadline and forget orders an int in a heap ({@link SlotHeap}). A reward window
 * of decisions then costs the young collector nothing to copy (it was most of each pause), and a
 * finished decision leaves every queue at once, so a long window holds nothing but itself.
 *
 * <p>Not thread-safe: one thread drives it.
 */
public final class RewardJoin {

    /** Where the join's results go. */
    public interface Listener {
        void joined(JoinedDecision joined);

        void rejected(RejectReason reason);

        void evicted(Decision decision);

        /** What became of an activation. */
        void activation(Activation outcome);

        /** A deferred decision whose window closed before it was activated: never learned from. */
        void neverActivated(Decision decision);
    }

    /** What an activation did, the label of {@code policyrec_activations_total}. */
    public enum Activation {
        /** A deferred decision inside its window: it will be learned from. */
        ACTIVATED,
        /** The decision was not deferred, or already activated: nothing to do. */
        NOT_DEFERRED,
        /** After the decision's window: it is not learned from. */
        LATE,
        /** No pending decision with that event id. */
        UNKNOWN;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * The value that, passed as a reward, activates the deferred decision instead. No checked
     * reward can be NaN (the feedback parser and the HTTP checks refuse it), so activations take
     * every path a reward takes, with its order and exactly-once: the inbox, the routed topic, the
     * rewards held for decisions not logged yet and their snapshots.
     */
    public static final double ACTIVATION = Double.NaN;

    public static boolean isActivation(double reward) {
        return Double.isNaN(reward);
    }

    private final PendingBudget budget;
    private final int maxRemembered;
    private final Listener listener;
    private final JoinSlots slots = new JoinSlots();
    private final EventIdTable ids = new EventIdTable();
    private final DecisionArena arena;
    /** Pending decisions by the end of their windows; ties by log offset (or arrival), then arrival. */
    private final SlotHeap byDeadline;
    /** Finished decisions still remembered, by when to forget them. */
    private final SlotHeap byForgetTime;
    private final Numbering<String> policies = new Numbering<>();
    private final Numbering<JoinRule> rules = new Numbering<>();
    private long time = Long.MIN_VALUE;
    private long pendingBytes;
    private int pendingCount;
    private long arrivals;

    /**
     * @param maxPendingBytes budget for pending decisions (their records are off the heap)
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
        this.arena = new DecisionArena(budget.segments());
        JoinSlots s = slots;
        this.byDeadline = new SlotHeap((a, b) -> {
            int c = Long.compare(s.deadline[a], s.deadline[b]);
            if (c == 0) {
                c = Long.compare(s.order[a], s.order[b]);
            }
            return c != 0 ? c : Long.compare(s.seq[a], s.seq[b]);
        });
        this.byForgetTime = new SlotHeap((a, b) -> {
            int c = Long.compare(s.forgetAt[a], s.forgetAt[b]);
            return c != 0 ? c : Long.compare(s.seq[a], s.seq[b]);
        });
    }

    public long pendingBytes() {
        return pendingBytes;
    }

    public int pendingCount() {
        return pendingCount;
    }

    /** Finished decisions still remembered to classify late and duplicate rewards. */
    public int rememberedCount() {
        return ids.size() - pendingCount;
    }

    /**
     * Gives the pending decisions' memory back to the pool of its learner thread, unlearned: the
     * join is dropped (its partition went to another instance, which rebuilds them from the log).
     * It must not be used after: a decision read or added fails instead of reading freed memory.
     */
    public void release() {
        arena.release();
    }

    /** Ints the decision arena holds (tests: it is reused, not grown, while the load is steady). */
    int arenaCapacity() {
        return arena.capacity();
    }

    /** Slots handed out so far (tests: finished slots are reused). */
    int slotsUsed() {
        return slots.highWater();
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
        restore(decision, rule, offset, 0, 0, Double.NEGATIVE_INFINITY, false);
    }

    /**
     * A pending decision as a snapshot recorded it, with the rewards it had collected and, when
     * deferred, whether it had been activated.
     */
    public void restore(Decision decision, JoinRule rule, long offset, int rewards, double sum, double max,
                        boolean activated) {
        if (ids.find(decision.eventId()) >= 0) {
            return;
        }
        arrivals++;
        int e = slots.allocate();
        JoinSlots s = slots;
        s.policy[e] = policies.number(decision.policy());
        s.rule[e] = rules.number(rule);
        s.incarnation[e] = decision.incarnation();
        s.version[e] = decision.policyVersion();
        s.timestamp[e] = decision.timestamp();
        s.deadline[e] = decision.timestamp() + rule.windowMillis();
        s.offset[e] = offset;
        s.order[e] = offset >= 0 ? offset : arrivals;
        s.seq[e] = arrivals;
        s.footprint[e] = decision.footprintBytes();
        s.rewards[e] = rewards;
        s.sum[e] = sum;
        s.max[e] = max;
        s.awaitingActivation[e] = decision.deferred() && !activated;
        s.record[e] = arena.append(e, decision.context(), decision.eligible(), decision.actions(),
                decision.probabilities(), decision.candidates());
        ids.add(decision.eventId(), e);
        byDeadline.add(e);
        pendingBytes += s.footprint[e];
        budget.add(s.footprint[e]);
        pendingCount++;
        evictOverBudget();
    }

    /**
     * Numbers keys in the order they are first seen, so that a slot keeps an int, not the key. The
     * last key's number comes without a lookup: decisions come policy after policy, and the two map
     * lookups per decision (a fresh name's hash, a rule record's) were about a tenth of the join's
     * time in a profile of the service at 5,000 dense decisions/s.
     */
    private static final class Numbering<T> {
        private final List<T> keys = new ArrayList<>();
        private final Map<T, Integer> numbers = new HashMap<>();
        private T last;
        private int lastNumber;

        int number(T key) {
            if (last == null || !last.equals(key)) {
                Integer n = numbers.get(key);
                if (n == null) {
                    n = keys.size();
                    keys.add(key);
                    numbers.put(key, n);
                }
                last = key;
                lastNumber = n;
            }
            return lastNumber;
        }

        T key(int number) {
            return keys.get(number);
        }

        /** The key's number, or null when it was never numbered. */
        Integer find(T key) {
            return numbers.get(key);
        }
    }

    /** The policy a known event id belongs to, or null. */
    public Owner ownerOf(String eventId) {
        int e = ids.find(eventId);
        return e < 0 ? null : new Owner(policies.key(slots.policy[e]), slots.incarnation[e]);
    }

    /** The decisions of one policy still waiting for their windows, in log order. */
    public List<JoinState.Pending> pending(String policy, long incarnation) {
        List<JoinState.Pending> pending = new ArrayList<>();
        Integer number = policies.find(policy);
        JoinSlots s = slots;
        for (int e = 0; number != null && e < s.highWater(); e++) {
            if (s.state[e] == JoinSlots.PENDING && s.incarnation[e] == incarnation && s.policy[e] == number) {
                pending.add(new JoinState.Pending(s.offset[e], s.rewards[e], s.sum[e], s.max[e],
                        !s.awaitingActivation[e]));
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
        if (isActivation(reward)) {
            activated(eventId, eventTime, receivedAt);
            return;
        }
        int e = ids.find(eventId);
        if (e < 0) {
            listener.rejected(RejectReason.UNKNOWN);
            return;
        }
        JoinSlots s = slots;
        switch (s.state[e]) {
            case JoinSlots.PENDING -> {
                boolean earliest = rules.key(s.rule[e]).aggregation() == RewardAggregation.EARLIEST;
                if (eventTime > s.deadline[e]) {
                    listener.rejected(RejectReason.LATE);
                } else if (earliest && !s.awaitingActivation[e]) {
                    finish(e, reward, true, JoinSlots.APPLIED, receivedAt);
                } else if (earliest && s.rewards[e] > 0) {
                    // Deferred: the earliest reward is kept for the activation, the rest are further rewards.
                    listener.rejected(RejectReason.DUPLICATE);
                } else {
                    s.rewards[e]++;
                    s.sum[e] += reward;
                    s.max[e] = Math.max(s.max[e], reward);
                }
            }
            case JoinSlots.APPLIED -> listener.rejected(eventTime > s.deadline[e] || s.deadline[e] < time
                    ? RejectReason.LATE : RejectReason.DUPLICATE);
            case JoinSlots.CLOSED -> listener.rejected(RejectReason.LATE);
            default -> listener.rejected(RejectReason.EVICTED);
        }
    }

    /**
     * An activation of a deferred decision (Personalizer's Activate): learned from once its window
     * closes, or at once with the earliest reward it already had.
     */
    private void activated(String eventId, long eventTime, long receivedAt) {
        int e = ids.find(eventId);
        JoinSlots s = slots;
        if (e < 0 || s.state[e] != JoinSlots.PENDING) {
            listener.activation(e < 0 || s.state[e] == JoinSlots.EVICTED ? Activation.UNKNOWN
                    : s.state[e] == JoinSlots.CLOSED && s.awaitingActivation[e] ? Activation.LATE
                    : Activation.NOT_DEFERRED);
            return;
        }
        if (!s.awaitingActivation[e]) {
            listener.activation(Activation.NOT_DEFERRED);
        } else if (eventTime > s.deadline[e]) {
            listener.activation(Activation.LATE);
        } else {
            s.awaitingActivation[e] = false;
            listener.activation(Activation.ACTIVATED);
            if (s.rewards[e] > 0 && rules.key(s.rule[e]).aggregation() == RewardAggregation.EARLIEST) {
                finish(e, s.sum[e], true, JoinSlots.APPLIED, receivedAt);
            }
        }
    }

    /** Closes every window that ended before the given time, then forgets what is old enough. */
    public void advanceTo(long time) {
        this.time = Math.max(this.time, time);
        JoinSlots s = slots;
        while (!byDeadline.isEmpty() && s.deadline[byDeadline.peek()] < time) {
            int e = byDeadline.peek();
            if (s.awaitingActivation[e]) {
                Decision d = decision(e);
                release(e, JoinSlots.CLOSED);
                listener.neverActivated(d);
                continue;
            }
            JoinRule rule = rules.key(s.rule[e]);
            boolean rewarded = s.rewards[e] > 0;
            double reward = !rewarded ? rule.defaultReward()
                    : rule.aggregation() == RewardAggregation.MAX ? s.max[e] : s.sum[e];
            finish(e, reward, rewarded, JoinSlots.CLOSED, -1);
        }
        forgetOld();
    }

    private void forgetOld() {
        while (!byForgetTime.isEmpty()
                && (slots.forgetAt[byForgetTime.peek()] < time || byForgetTime.size() > maxRemembered)) {
            int e = byForgetTime.poll();
            ids.remove(e);
            slots.release(e);
        }
    }

    private void finish(int e, double reward, boolean rewarded, byte next, long receivedAt) {
        Decision d = decision(e);
        long offset = slots.offset[e];
        release(e, next);
        listener.joined(new JoinedDecision(d, reward, rewarded, offset, receivedAt));
    }

    /** The decision of a pending slot, as it was decided (built when it is learned from). */
    private Decision decision(int e) {
        JoinSlots s = slots;
        int at = s.record[e];
        return new Decision(ids.eventId(e), policies.key(s.policy[e]), s.incarnation[e], s.version[e],
                s.timestamp[e], arena.context(at), arena.eligible(at), arena.actions(at), arena.probabilities(at),
                arena.candidates(at));
    }

    private void release(int e, byte next) {
        JoinSlots s = slots;
        s.state[e] = next;
        arena.free(s.record[e]);
        s.record[e] = -1;
        byDeadline.remove(e);
        pendingBytes -= s.footprint[e];
        budget.add(-s.footprint[e]);
        pendingCount--;
        // Remembered until one window after its own closed, and at most maxRemembered of them.
        s.forgetAt[e] = s.deadline[e] + rules.key(s.rule[e]).windowMillis();
        byForgetTime.add(e);
        forgetOld();
    }

    private void evictOverBudget() {
        int e;
        while (budget.exceeded() && (e = arena.oldestSlot()) >= 0) {
            Decision d = decision(e);
            release(e, JoinSlots.EVICTED);
            listener.evicted(d);
        }
    }
}
