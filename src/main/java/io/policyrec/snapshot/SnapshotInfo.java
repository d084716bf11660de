package io.policyrec.snapshot;

/** One retained snapshot of a policy, as the snapshots list shows it. */
public record SnapshotInfo(long version, long savedAt, long updates, double meanEntropy, long incarnation) {

    static SnapshotInfo of(StoredPolicy s) {
        return new SnapshotInfo(s.version(), s.savedAt(), s.updates(), s.meanEntropy(), s.incarnation());
    }
}
