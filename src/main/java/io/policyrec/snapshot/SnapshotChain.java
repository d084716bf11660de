package io.policyrec.snapshot;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How a shared store writes a hashed policy's snapshots so that publish cost follows what changed:
 * whole now and then, and in between as deltas of the last snapshot of the policy this instance
 * wrote or read (its parent). A learner's successive states share the first-layer rows not
 * changed between them ({@code LearnerState.changedRows}), so the rows a delta carries are found
 * by reference, without comparing numbers. Each delta names its parent by version and checksum;
 * the store refuses one whose parent it no longer holds (rolled back, or replaced meanwhile), and
 * the snapshot then goes out whole.
 *
 * <p>A delta's chain reaches a whole snapshot (its root) in at most {@link #MAX_DEPTH} steps, so a
 * cold read fetches at most that many blobs and retention keeps at most that many versions beyond
 * its count; a delta that would carry more than half of the changed rows is written whole instead.
 * Dense policies are always written whole (their snapshot is a few hundred KB).
 *
 * <p>Public for {@code loadtest size}, which measures the bytes it writes.
 */
public final class SnapshotChain {
    /** Deltas between two whole snapshots. */
    public static final int MAX_DEPTH = 10;

    /** One snapshot as this instance knows it: decoded, its checksum, its root and its depth. */
    private record Known(StoredPolicy policy, long crc, long root, int depth) {
    }

    /** What to write: the bytes and, for the store's bookkeeping, the chain they extend. */
    public record Encoded(byte[] bytes, long crc, long parent, long parentCrc, long root, int depth) {
        public boolean delta() {
            return parent >= 0;
        }
    }

    /** Reads a retained blob of a policy (a parent of a delta being read). */
    @FunctionalInterface
    interface Blobs {
        Optional<byte[]> blob(String name, long version) throws SnapshotStoreException;
    }

    private final Map<String, Known> known = new ConcurrentHashMap<>();

    /** The snapshot as a delta of the last one known here when that is worth it, else whole. */
    public Encoded encode(StoredPolicy s) {
        Known k = known.get(s.name());
        if (k != null && s.config().hashed() && k.depth() < MAX_DEPTH && k.policy().incarnation() == s.incarnation()
                && k.policy().version() < s.version() && k.policy().config().equals(s.config())
                && 2L * HashedRows.differing(s.learner(), k.policy().learner()) <= s.learner().changedRowCount()) {
            byte[] bytes = SnapshotCodec.encodeDelta(s, k.policy(), k.crc());
            return new Encoded(bytes, SnapshotCodec.checksum(bytes), k.policy().version(), k.crc(), k.root(),
                    k.depth() + 1);
        }
        return whole(s);
    }

    public Encoded whole(StoredPolicy s) {
        byte[] bytes = SnapshotCodec.encode(s);
        return new Encoded(bytes, SnapshotCodec.checksum(bytes), -1, 0, s.version(), 0);
    }

    /** The store holds it now: the next snapshot of the policy may be a delta of it. */
    public void written(StoredPolicy s, Encoded e) {
        known.put(s.name(), new Known(s, e.crc(), e.root(), e.depth()));
    }

    /** The store no longer holds what is known of the policy (deleted, replaced, rolled back). */
    void forget(String name) {
        known.remove(name);
    }

    /**
     * Decodes a blob, a delta over its parents: the one known here when it matches, else read from
     * the store, each checked against the checksum the delta names. The latest snapshot read is
     * remembered, so that a replica following a learner reads each new delta over the last one.
     */
    StoredPolicy decode(byte[] data, Blobs blobs) throws SnapshotStoreException {
        Known k = decodeKnown(data, blobs);
        known.merge(k.policy().name(), k, (old, read) -> old.policy().incarnation() != read.policy().incarnation()
                || old.policy().version() < read.policy().version() ? read : old);
        return k.policy();
    }

    private Known decodeKnown(byte[] data, Blobs blobs) throws SnapshotStoreException {
        Known[] parent = new Known[1];
        StoredPolicy s = SnapshotCodec.decode(data, (name, version, crc) -> {
            Known k = known.get(name);
            if (k == null || k.policy().version() != version || k.crc() != crc) {
                byte[] blob = blobs.blob(name, version).orElseThrow(() -> new ParentGone(
                        "version " + version + " of " + name + ", which a later snapshot builds on, is gone"));
                if (SnapshotCodec.checksum(blob) != crc) {
                    throw new UnreadableSnapshotException("version " + version + " of " + name
                            + " is not the one a later snapshot builds on");
                }
                k = decodeKnown(blob, blobs);
            }
            parent[0] = k;
            return k.policy();
        });
        long crc = SnapshotCodec.checksum(data);
        return parent[0] == null ? new Known(s, crc, s.version(), 0)
                : new Known(s, crc, parent[0].root(), parent[0].depth() + 1);
    }

    /**
     * A delta's parent is no longer stored: a rollback or retention removed it while the delta was
     * being read. The delta itself is then gone or about to be, as if it had not been found.
     */
    static final class ParentGone extends SnapshotStoreException {
        ParentGone(String message) {
            super(message);
        }
    }
}
