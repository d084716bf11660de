package io.policyrec.snapshot;

import java.util.List;

/**
 * Where a policy's reward join stood when its snapshot was taken, by offsets in the decision log:
 * the decisions still waiting for rewards (with what they had collected) and the decisions already
 * joined but not yet learned from (the partial batch, in order), and the rewards its partition held
 * for decisions not in the log yet (orphans; the same list in every policy of the partition
 * snapshotted at that cut). With the stored positions this is enough to resume so that every
 * decision is learned from exactly once. Empty without Kafka.
 */
public record JoinState(List<Pending> pending, List<BatchEntry> batch, List<Orphan> orphans) {
    public static final JoinState EMPTY = new JoinState(List.of(), List.of());

    public JoinState {
        pending = List.copyOf(pending);
        batch = List.copyOf(batch);
        orphans = List.copyOf(orphans);
    }

    public JoinState(List<Pending> pending, List<BatchEntry> batch) {
        this(pending, batch, List.of());
    }

    /**
     * A decision waiting for its window to close, with the rewards it has collected; activated is
     * false only for a deferred decision not activated yet.
     */
    public record Pending(long offset, int rewards, double sum, double max, boolean activated) {
        public Pending(long offset, int rewards, double sum, double max) {
            this(offset, rewards, sum, max, true);
        }
    }

    /** A joined decision waiting in the partial batch. */
    public record BatchEntry(long offset, double reward) {
    }

    /** A reward routed before its decision reached the log, held for it (at this offset of the routed feedback). */
    public record Orphan(long offset, String eventId, double reward, long eventTime, long receivedAt) {
    }
}
