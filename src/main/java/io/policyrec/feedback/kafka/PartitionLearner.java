package io.policyrec.feedback.kafka;

import io.policyrec.feedback.JoinMetrics;
import io.policyrec.feedback.JoinedDecision;
import io.policyrec.feedback.PendingBudget;
import io.policyrec.feedback.PolicyLearning;
import io.policyrec.feedback.RejectReason;
import io.policyrec.feedback.RewardJoin;
import io.policyrec.feedback.RoutedFeedback;
import io.policyrec.policy.Decision;
import io.policyrec.snapshot.JoinState;
import io.policyrec.snapshot.StoredPolicy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Learning for one partition of the decision log: the decisions of the policies that hash to it,
 * and the rewards routed to it. No Kafka client here: records come in, joined decisions and new
 * weights go out, and the state can be saved and restored at any point between records.
 *
 * <p><b>Merge.</b> The two streams are merged in event time: the next record is the one with the
 * earlier timestamp (a decision before a reward on a tie). A stream whose buffer is empty holds
 * the merge back unless it is caught up with its log, in which case it counts as being at
 * now - grace (rewards wait that long for a decision still in flight, counted from their event
 * time and from when they reached this learner; a reward whose decision is already known need not
 * wait). Fed the same logs, the merge makes the same sequence, so a replay joins and learns the
 * same way, unless a decision reaches the log more than grace after a reward for it.
 *
 * <p><b>A reward ahead of its decision</b> (the decision reached the log late: its serving
 * instance's producer held it through a broker restart, or the instance was paused) is held for
 * it ({@link OrphanRewards}) for {@code policyrec.kafka.orphan-wait} of event time, and applied
 * when the decision comes, as if it had come after it; only then is it unknown.
 *
 * <p><b>Windows close as far as rewards are routed.</b> The routed stream also carries the
 * routers' certificates ({@link RouterWatermark}): feedback partition p routed up to time t. The
 * join's clock never passes the least certified time of all feedback partitions (less the grace),
 * so while a router is dead and its partitions not yet taken over, decisions wait for their
 * rewards instead of closing with the default reward; with no certificate of some partition yet
 * (a fresh start), no window closes.
 *
 * <p><b>Exactly once.</b> Each policy's snapshot records the positions in both streams up to
 * which it has seen everything, the decisions still waiting for rewards (with what they
 * collected) and the partial batch, by offset. A restored partition first re-reads the decisions
 * those name (a restore pass, nothing learned), then resumes the merge at the positions: every
 * decision is learned from exactly once. All policies of a partition are saved together, so they
 * share one cut; if they do not (a save that failed half way), each policy still skips what it
 * has seen, exactly once holds, only the order may differ from an uninterrupted run.
 */
final class PartitionLearner {
    private static final Logger LOG = Logger.getLogger(PartitionLearner.class);
    public static final String DECISIONS = "decisions";
    public static final String FEEDBACK = "feedback";

    private final int partition;
    private final JoinMetrics metrics;
    private final RewardJoin join;
    private final PendingBudget budget;
    private final Map<String, PolicyLearning> policies = new LinkedHashMap<>();
    private final Map<String, Resume> resume = new HashMap<>();
    private final Set<PolicyLearning> changed = new HashSet<>();
    private final ArrayDeque<LogRecord> decisions = new ArrayDeque<>();
    private final ArrayDeque<LogRecord> feedback = new ArrayDeque<>();
    /** Per feedback partition, the time its router has certified (Long.MIN_VALUE: not yet). */
    private long[] routedUpTo = new long[0];
    private final Function<Decision, Optional<PolicyLearning>> unknownPolicy;
    private java.util.function.Consumer<JoinedDecision> observer = j -> { };
    private long decisionsNext = -1;
    private long feedbackNext = -1;
    private long restoreUntil = -1;
    private long lastDecisionTime;
    private long now;
    private OrphanRewards orphans = new OrphanRewards(0, 0);

    /** What a restored policy has already seen, and what it must rebuild from the log. */
    private static final class Resume {
        final long decisions;
        final long feedback;
        final Map<Long, JoinState.Pending> pending = new HashMap<>();
        final List<JoinState.BatchEntry> batch;
        final Map<Long, Decision> batchDecisions = new HashMap<>();
        /** Positions from a snapshot (true), or where a policy new here starts (nothing seen before them). */
        final boolean stored;
        boolean batchRestored;

        Resume(long decisions, long feedback, JoinState join, boolean stored) {
            this.decisions = decisions;
            this.feedback = feedback;
            this.stored = stored;
            join.pending().forEach(p -> pending.put(p.offset(), p));
            this.batch = join.batch();
            this.batchRestored = batch.isEmpty();
        }
    }

    /**
     * @param unknownPolicy asked when a decision names a policy this learner does not have (created
     *                      elsewhere a moment ago): the policy to adopt for it, if any
     */
    public PartitionLearner(int partition, PendingBudget budget, int maxRemembered, JoinMetrics metrics,
                            Function<Decision, Optional<PolicyLearning>> unknownPolicy) {
        this.partition = partition;
        this.metrics = metrics;
        this.unknownPolicy = unknownPolicy;
        this.budget = budget;
        this.join = new RewardJoin(budget, maxRemembered, metrics.counting(this::learnFrom));
    }

    private void learnFrom(JoinedDecision joined) {
        observer.accept(joined);
        PolicyLearning l = policies.get(joined.decision().policy());
        if (l != null && l.owns(joined.decision()) && l.learn(joined, joined.offset(), now)) {
            changed.add(l);
        }
    }

    public int partition() {
        return partition;
    }

    /**
     * Holds a reward whose decision is not in the log yet for up to this long in event time (at
     * most max of them) instead of counting it unknown at once. Call before adopting policies.
     */
    public void holdOrphans(long waitMillis, int max) {
        this.orphans = new OrphanRewards(waitMillis, max);
    }

    /** Sees every joined decision, in the order learned from (replay checks, tracing). */
    public void observe(java.util.function.Consumer<JoinedDecision> observer) {
        this.observer = observer;
    }

    public Map<String, PolicyLearning> policies() {
        return policies;
    }

    /**
     * Adds a policy to learn. With a stored snapshot that has positions, the policy resumes from
     * them; otherwise it starts at the given positions (a new policy: its decisions are all ahead).
     */
    public void adopt(PolicyLearning learning, StoredPolicy stored, long decisionsStart, long feedbackStart) {
        policies.put(learning.name, learning);
        Long d = stored == null ? null : stored.positions().get(DECISIONS);
        Long f = stored == null ? null : stored.positions().get(FEEDBACK);
        if (d != null && f != null) {
            Resume r = new Resume(d, f, stored.join(), true);
            resume.put(learning.name, r);
            orphans.restore(stored.join().orphans());
        } else {
            resume.put(learning.name, new Resume(decisionsStart, feedbackStart, JoinState.EMPTY, false));
        }
    }

    /** Gives this partition's share of the pending budget and its memory back (the partition went elsewhere). */
    public void release() {
        budget.add(-join.pendingBytes());
        join.release();
    }

    public void forget(String name) {
        PolicyLearning l = policies.remove(name);
        resume.remove(name);
        changed.remove(l);
    }

    /** Where the decisions stream must be read from: the oldest decision any policy must rebuild. */
    public long decisionsStart() {
        long start = Long.MAX_VALUE;
        for (Resume r : resume.values()) {
            start = Math.min(start, r.decisions);
            for (long o : r.pending.keySet()) {
                start = Math.min(start, o);
            }
            for (JoinState.BatchEntry b : r.batch) {
                start = Math.min(start, b.offset());
            }
        }
        return start;
    }

    public long feedbackStart() {
        long start = Long.MAX_VALUE;
        for (Resume r : resume.values()) {
            start = Math.min(start, r.feedback);
        }
        return start;
    }

    /** Call once the consumer is positioned: records below the common cut are only rebuilt, not learned. */
    public void positioned(long decisionsFrom, long feedbackFrom) {
        decisionsNext = decisionsFrom;
        feedbackNext = feedbackFrom;
        long cut = Long.MAX_VALUE;
        for (Resume r : resume.values()) {
            cut = Math.min(cut, r.decisions);
        }
        restoreUntil = cut == Long.MAX_VALUE ? decisionsFrom : cut;
        orphans.positioned(feedbackFrom);
    }

    public void offerDecision(LogRecord r) {
        decisions.addLast(r);
    }

    public void offerFeedback(LogRecord r) {
        feedback.addLast(r);
    }

    public int decisionsBuffered() {
        return decisions.size();
    }

    public int feedbackBuffered() {
        return feedback.size();
    }

    public boolean decisionsEmpty() {
        return decisions.isEmpty();
    }

    public boolean feedbackEmpty() {
        return feedback.isEmpty();
    }

    /** Event time of the last decision learned from (for the learner-lag gauge). */
    public long lastDecisionTime() {
        return lastDecisionTime;
    }

    /**
     * Processes what can be processed in merge order.
     *
     * @param decisionsCaughtUp the decisions buffer holds everything the log has
     * @param feedbackCaughtUp  the same for the routed feedback
     * @return the policies whose weights changed
     */
    public Set<PolicyLearning> process(long now, boolean decisionsCaughtUp, boolean feedbackCaughtUp, long grace,
                                       long maxBatchDelay) {
        this.now = now;
        rebuild();
        while (true) {
            LogRecord d = decisions.peekFirst();
            LogRecord f = feedback.peekFirst();
            if ((d == null && !decisionsCaughtUp) || (f == null && !feedbackCaughtUp)) {
                break;
            }
            long idle = now - grace;
            long routed = routedUpTo();
            long certified = routed == Long.MIN_VALUE ? routed : routed - grace;
            long dTime = d == null ? idle : d.timestamp();
            long fTime = f == null ? Math.min(idle, certified) : f.timestamp();
            if (d == null && f != null && (fTime > dTime || f.receivedAt() > idle)) {
                if (decisionKnown(f)) {
                    // The decision log is caught up and already holds this reward's decision: nothing to wait for.
                    dTime = Math.max(dTime, fTime + 1);
                } else {
                    // Its decision may still come: it waits until grace has passed since the reward's event
                    // time and since it reached this learner. A reward routed late carries its old event
                    // time, and "caught up" is judged from the log's end as the last fetch saw it, which
                    // can be stale, so without the second its decision, logged first, could still be
                    // unread: the reward would be held and learned out of the logs' order.
                    dTime = Math.min(dTime, fTime);
                }
            }
            boolean decisionNext = dTime <= fTime;
            LogRecord next = decisionNext ? d : f;
            long time = decisionNext ? dTime : fTime;
            join.advanceTo(Math.min(time, certified));
            for (int expired = orphans.expire(Math.min(time, certified)); expired > 0; expired--) {
                metrics.rejected(RejectReason.UNKNOWN);
            }
            if (next == null) {
                break;
            }
            if (decisionNext) {
                decisions.pollFirst();
                decide(d);
                decisionsNext = d.offset() + 1;
            } else {
                feedback.pollFirst();
                RouterWatermark mark = RouterWatermark.decode(f.value());
                if (mark != null) {
                    certify(mark);
                } else {
                    reward(f);
                }
                feedbackNext = f.offset() + 1;
            }
        }
        for (PolicyLearning l : policies.values()) {
            if (l.flushIfWaiting(now, maxBatchDelay)) {
                changed.add(l);
            }
        }
        Set<PolicyLearning> result = new HashSet<>(changed);
        changed.clear();
        return result;
    }

    /** The restore pass: decisions below the common cut only rebuild pending entries and partial batches. */
    private void rebuild() {
        while (!decisions.isEmpty() && decisions.peekFirst().offset() < restoreUntil) {
            LogRecord r = decisions.pollFirst();
            Decision d = decode(r);
            if (d != null) {
                restoreOld(d, r.offset());
            }
            decisionsNext = r.offset() + 1;
        }
        finishBatchRestores(decisionsNext);
    }

    private void restoreOld(Decision d, long offset) {
        List<JoinState.Orphan> held = orphans.take(d.eventId());
        PolicyLearning l = policies.get(d.policy());
        Resume r = resume.get(d.policy());
        if (l == null || r == null || !l.owns(d) || !l.fits(d)) {
            return;
        }
        JoinState.Pending p = r.pending.remove(offset);
        if (p != null) {
            join.restore(d, l.rule, offset, p.rewards(), p.sum(), p.max(), p.activated());
            // Rewards that came ahead of it and that its policy's snapshot had not seen yet are its own;
            // the others are in what the snapshot collected already.
            for (JoinState.Orphan o : held) {
                if (o.offset() >= r.feedback) {
                    join.rewarded(o.eventId(), o.reward(), o.eventTime(), o.receivedAt());
                }
            }
        }
        for (JoinState.BatchEntry b : r.batch) {
            if (b.offset() == offset) {
                r.batchDecisions.put(offset, d);
            }
        }
    }

    /** Once the log has been read past a policy's partial batch, re-adds it in its original order. */
    private void finishBatchRestores(long readUpTo) {
        for (Map.Entry<String, Resume> e : resume.entrySet()) {
            Resume r = e.getValue();
            if (r.batchRestored) {
                continue;
            }
            long last = r.batch.stream().mapToLong(JoinState.BatchEntry::offset).max().orElse(-1);
            if (readUpTo <= last) {
                continue;
            }
            PolicyLearning l = policies.get(e.getKey());
            int found = 0;
            for (JoinState.BatchEntry b : r.batch) {
                Decision d = r.batchDecisions.get(b.offset());
                if (d != null && l != null) {
                    if (l.restoreBatchEntry(d, b.reward(), b.offset(), now)) {
                        changed.add(l);
                    }
                    found++;
                }
            }
            if (found != r.batch.size()) {
                LOG.errorf("Partition %d: only %d of the %d decisions of %s's partial batch were found in the log",
                        partition, found, r.batch.size(), e.getKey());
            }
            r.batchDecisions.clear();
            r.batchRestored = true;
        }
    }

    private void decide(LogRecord record) {
        Decision d = decode(record);
        if (d == null) {
            return;
        }
        PolicyLearning l = policies.get(d.policy());
        if (l == null || !l.owns(d)) {
            Optional<PolicyLearning> adopted = unknownPolicy.apply(d);
            if (adopted.isEmpty()) {
                return;
            }
            l = adopted.get();
            forget(l.name);
            policies.put(l.name, l);
            resume.put(l.name, new Resume(record.offset(), feedbackNext, JoinState.EMPTY, false));
        }
        if (!l.fits(d)) {
            LOG.warnf("Skipping a decision of %s at offset %d of partition %d that does not fit its config",
                    l.name, record.offset(), partition);
            metrics.rejected(RejectReason.INVALID);
            return;
        }
        Resume r = resume.get(l.name);
        if (r != null && record.offset() < r.decisions) {
            // A policy whose snapshot is ahead of the common cut: rebuild only.
            restoreOld(d, record.offset());
            finishBatchRestores(record.offset() + 1);
            return;
        }
        finishBatchRestores(record.offset() + 1);
        lastDecisionTime = Math.max(lastDecisionTime, d.timestamp());
        join.decided(d, l.rule, record.offset());
        for (JoinState.Orphan o : orphans.take(d.eventId())) {
            // One re-read below the position of a policy that was ahead was dealt with before its cut; a
            // policy new here (created elsewhere a moment ago) has seen none.
            if (r == null || !r.stored || o.offset() >= r.feedback || orphans.fromSnapshot(o)) {
                join.rewarded(o.eventId(), o.reward(), o.eventTime(), o.receivedAt());
            }
        }
    }

    /** The least time certified over all feedback partitions, or Long.MIN_VALUE while one has none. */
    long routedUpTo() {
        long least = routedUpTo.length == 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        for (long t : routedUpTo) {
            least = Math.min(least, t);
        }
        return least;
    }

    private void certify(RouterWatermark mark) {
        if (mark.feedbackPartitions() > routedUpTo.length) {
            int before = routedUpTo.length;
            routedUpTo = java.util.Arrays.copyOf(routedUpTo, mark.feedbackPartitions());
            java.util.Arrays.fill(routedUpTo, before, routedUpTo.length, Long.MIN_VALUE);
        }
        routedUpTo[mark.feedbackPartition()] = Math.max(routedUpTo[mark.feedbackPartition()], mark.time());
    }

    private boolean decisionKnown(LogRecord record) {
        if (RouterWatermark.decode(record.value()) != null) {
            return true; // a certificate waits for no decision
        }
        try {
            return join.ownerOf(RoutedFeedback.decode(record.value()).eventId()) != null;
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    private void reward(LogRecord record) {
        RoutedFeedback f;
        try {
            f = RoutedFeedback.decode(record.value());
        } catch (IllegalArgumentException e) {
            metrics.rejected(RejectReason.INVALID);
            return;
        }
        if (orphans.restoredAt(record.offset())) {
            return; // held since the snapshot this partition resumed from (or applied since)
        }
        RewardJoin.Owner owner = join.ownerOf(f.eventId());
        if (owner != null) {
            Resume r = resume.get(owner.policy());
            if (r != null && record.offset() < r.feedback) {
                return;
            }
        } else if (orphans.hold(new JoinState.Orphan(record.offset(), f.eventId(), f.reward(), f.eventTime(),
                f.receivedAt()))) {
            metrics.held();
            return; // its decision is not in the log yet: it waits for it
        }
        join.rewarded(f.eventId(), f.reward(), f.eventTime(), f.receivedAt());
    }

    private Decision decode(LogRecord r) {
        try {
            return DecisionCodec.decode(r.value());
        } catch (IllegalArgumentException e) {
            LOG.warnf("Skipping malformed decision record at offset %d of partition %d", r.offset(), partition);
            return null;
        }
    }

    /** The cut a snapshot taken now would record: the next offsets of both streams. */
    public Map<String, Long> positions() {
        return Map.of(DECISIONS, decisionsNext, FEEDBACK, feedbackNext);
    }

    /** True while the restore pass has not rebuilt everything the snapshots named: no snapshot then. */
    public boolean restoring() {
        if (decisionsNext < restoreUntil) {
            return true;
        }
        for (Resume r : resume.values()) {
            if (!r.batchRestored) {
                return true;
            }
        }
        return false;
    }

    /**
     * A snapshot of every policy of the partition at one cut (a policy that had already seen
     * further keeps its own positions, so that nothing is applied twice).
     */
    public List<StoredPolicy> snapshots(long now) {
        List<StoredPolicy> all = new ArrayList<>();
        List<JoinState.Orphan> held = orphans.snapshot();
        for (PolicyLearning l : policies.values()) {
            Resume r = resume.get(l.name);
            long d = r == null ? decisionsNext : Math.max(decisionsNext, r.decisions);
            long f = r == null ? feedbackNext : Math.max(feedbackNext, r.feedback);
            List<JoinState.Pending> pending = join.pending(l.name, l.incarnation);
            if (r != null && !r.pending.isEmpty()) {
                // Pending decisions the restore pass has not re-read yet: still this policy's to learn.
                pending = new ArrayList<>(pending);
                for (JoinState.Pending p : r.pending.values()) {
                    if (p.offset() >= decisionsNext) {
                        pending.add(p);
                    }
                }
                pending.sort(java.util.Comparator.comparingLong(JoinState.Pending::offset));
            }
            all.add(l.stored(now, Map.of(DECISIONS, d, FEEDBACK, f), pending, held));
        }
        return all;
    }

}
