package io.policyrec.snapshot;

import java.util.List;
import java.util.Optional;

/** Where policy snapshots live between runs and across instances. */
public interface SnapshotStore {

    /** Saves a snapshot as the latest of its policy. */
    void save(StoredPolicy snapshot) throws SnapshotStoreException;

    /** The latest snapshot of every policy. */
    List<StoredPolicy> loadAll() throws SnapshotStoreException;

    Optional<StoredPolicy> latest(String name) throws SnapshotStoreException;

    /** Forgets a policy and all its snapshots. */
    void delete(String name) throws SnapshotStoreException;
}
