package io.policyrec.feedback.kafka;

import io.policyrec.snapshot.JoinState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Rewards routed to a partition before their decision reached its log, held for the decision for
 * a while of event time. A decision can reach the log seconds after its reward: the serving
 * instance's producer held it through a broker restart, or the instance was paused; without the
 * hold the reward would count as unknown and the decision would close with the default reward.
 * The held rewards are part of every snapshot of the partition's policies, so a restored
 * partition holds exactly what it held at the cut (and skips them when it re-reads the routed
 * log). Held for a decision that a restore pass re-reads, a reward goes to it if its policy's
 * snapshot had not seen it yet, and is a stale copy otherwise.
 * Not thread-safe: the partition's learning thread owns it.
 */
final class OrphanRewards {
    private final long waitMillis;
    private final int max;
    private final Map<String, List<JoinState.Orphan>> byEventId = new HashMap<>();
    private final PriorityQueue<JoinState.Orphan> byTime = new PriorityQueue<>(
            Comparator.comparingLong(JoinState.Orphan::eventTime).thenComparingLong(JoinState.Orphan::offset));
    /** Offsets of the routed log restored as held: not held a second time when re-read. */
    private final Set<Long> restored = new HashSet<>();
    /** Offsets of the routed log that a snapshot held: they are owed to their decision's policy. */
    private final Set<Long> fromSnapshot = new HashSet<>();
    private int held;

    /**
     * @param waitMillis how long in event time a reward waits for its decision (0: not at all)
     * @param max        rewards held at most; beyond, a reward without its decision counts as unknown
     */
    OrphanRewards(long waitMillis, int max) {
        this.waitMillis = waitMillis;
        this.max = max;
    }

    /**
     * True for a record of the routed log that the snapshot resumed from held (it is held again, or
     * was applied since): it must not be taken a second time when the log is re-read.
     */
    boolean restoredAt(long offset) {
        return !restored.isEmpty() && restored.remove(offset);
    }

    /** True when the reward is held; false when it cannot be (no wait, or full): it is unknown now. */
    boolean hold(JoinState.Orphan o) {
        if (waitMillis <= 0 || held >= max) {
            return false;
        }
        add(o);
        return true;
    }

    private void add(JoinState.Orphan o) {
        byEventId.computeIfAbsent(o.eventId(), k -> new ArrayList<>()).add(o);
        byTime.add(o);
        held++;
    }

    /** The rewards held for a decision that just arrived, in log order; they are no longer held. */
    List<JoinState.Orphan> take(String eventId) {
        List<JoinState.Orphan> found = byEventId.remove(eventId);
        if (found == null) {
            return List.of();
        }
        held -= found.size();
        byTime.removeAll(found);
        return found;
    }

    /** True for a held reward that a snapshot held (owed to its decision), false for one re-read since. */
    boolean fromSnapshot(JoinState.Orphan o) {
        return fromSnapshot.contains(o.offset());
    }

    /** Removes the rewards whose wait is over at this event time; returns how many. */
    int expire(long time) {
        int expired = 0;
        while (!byTime.isEmpty() && byTime.peek().eventTime() + waitMillis < time) {
            JoinState.Orphan o = byTime.poll();
            List<JoinState.Orphan> same = byEventId.get(o.eventId());
            fromSnapshot.remove(o.offset());
            if (same != null && same.remove(o)) {
                held--;
                expired++;
                if (same.isEmpty()) {
                    byEventId.remove(o.eventId());
                }
            }
        }
        return expired;
    }

    int size() {
        return held;
    }

    /** What is held, in log order: the partition's share of a snapshot. */
    List<JoinState.Orphan> snapshot() {
        List<JoinState.Orphan> all = new ArrayList<>(held);
        byEventId.values().forEach(all::addAll);
        all.sort(Comparator.comparingLong(JoinState.Orphan::offset));
        return all;
    }

    /** Holds what a snapshot held (the union over the partition's snapshots, each once). */
    void restore(List<JoinState.Orphan> orphans) {
        for (JoinState.Orphan o : orphans) {
            if (restored.add(o.offset())) {
                fromSnapshot.add(o.offset());
                add(o);
            }
        }
    }

    /** Once positioned: offsets below where the routed log is read from will not be re-read. */
    void positioned(long feedbackFrom) {
        restored.removeIf(offset -> offset < feedbackFrom);
    }
}
