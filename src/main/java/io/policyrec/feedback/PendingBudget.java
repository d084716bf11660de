package io.policyrec.feedback;

/**
 * The budget for decisions waiting for their rewards, shared by every join of one learner thread
 * (one per decision-log partition with Kafka): one hot partition may use all of it. Their arenas
 * share its pool of segments, kept up to the same bytes. Not thread-safe, like the joins that
 * share it.
 */
public final class PendingBudget {
    private final long maxBytes;
    private final SegmentPool segments;
    private long usedBytes;

    public PendingBudget(long maxBytes) {
        this.maxBytes = maxBytes;
        this.segments = new SegmentPool(maxBytes);
    }

    SegmentPool segments() {
        return segments;
    }

    boolean exceeded() {
        return usedBytes > maxBytes;
    }

    public void add(long bytes) {
        usedBytes += bytes;
    }

    public long usedBytes() {
        return usedBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }
}
