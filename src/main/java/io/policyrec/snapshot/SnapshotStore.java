package io.policyrec.snapshot;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where policy snapshots live between runs and across instances: per policy, its last few
 * versions and a pointer to the latest. Two implementations: a local folder (embedded) and Redis.
 */
public interface SnapshotStore {

    /**
     * Saves a snapshot as the latest of its policy, atomically (a reader sees the old latest or the
     * new one, never half of one), keeps the newest versions up to the retention, and announces it.
     * A snapshot of another incarnation (the policy was replaced) drops the older incarnation's versions.
     */
    void save(StoredPolicy snapshot) throws SnapshotStoreException;

    /**
     * Saves what a learner learned, unless its policy was replaced or deleted meanwhile (perhaps by
     * another instance, while this write waited), or rolled back after these weights were taken (a
     * shared store tells by {@link StoredPolicy#rollbacks}): then nothing is written and the answer
     * is false. Only {@link #save} (create, replace, import) may change a policy's incarnation. A
     * shared store may keep a learned version without making it the latest when a newer one is.
     */
    boolean saveLearned(StoredPolicy snapshot) throws SnapshotStoreException;

    /** The latest snapshot of every policy (one that cannot be read is logged and skipped: serving goes on). */
    default List<StoredPolicy> loadAll() throws SnapshotStoreException {
        return loadAll(true);
    }

    /**
     * The latest snapshot of every policy, or an exception if any cannot be read now (the store did
     * not answer): a learner taking partitions over must not miss a policy it could read on a retry
     * and resume it later without its positions. Corrupt snapshots are still skipped.
     */
    default List<StoredPolicy> loadAllOrFail() throws SnapshotStoreException {
        return loadAll(false);
    }

    /** The latest snapshot of every policy; one the store could not read now is skipped if asked, else fails. */
    List<StoredPolicy> loadAll(boolean skipUnreadable) throws SnapshotStoreException;

    /** The latest snapshot, with the rollbacks it descends from where the store counts them. */
    Optional<StoredPolicy> latest(String name) throws SnapshotStoreException;

    /** One retained version, decoded (null when not retained). */
    Optional<StoredPolicy> version(String name, long version) throws SnapshotStoreException;

    /** One retained version in the binary form, whole: to download and import elsewhere. */
    Optional<byte[]> raw(String name, long version) throws SnapshotStoreException;

    /** The retained versions of a policy, newest first. */
    List<SnapshotInfo> versions(String name) throws SnapshotStoreException;

    /**
     * Makes a retained version the latest again and drops the versions after it; gives that version
     * with the policy's rollback count including this one, where the store counts them.
     */
    Optional<StoredPolicy> rollback(String name, long version) throws SnapshotStoreException;

    /** Forgets a policy and all its snapshots. */
    void delete(String name) throws SnapshotStoreException;

    /** What kind of store this is ("local" or "redis"), as the readiness check reports it. */
    String kind();

    /**
     * Whether other instances write this store too: then each instance follows what the others
     * publish ({@link #subscribe}, {@link #latestVersions}).
     */
    default boolean shared() {
        return false;
    }

    /** The latest version of every policy, by name (the follower's poll). */
    default java.util.Map<String, Long> latestVersions() throws SnapshotStoreException {
        java.util.Map<String, Long> out = new java.util.HashMap<>();
        for (StoredPolicy s : loadAll()) {
            out.put(s.name(), s.version());
        }
        return out;
    }

    /**
     * True when this incarnation of the policy was deleted, as opposed to merely absent (a store
     * that lost its data has lost policies, not deleted them).
     */
    default boolean deleted(String name, long incarnation) throws SnapshotStoreException {
        return false;
    }

    /** Hears what other instances save, roll back and delete (nothing to hear for a local store). */
    default void subscribe(Consumer<Announcement> listener) {
    }

    /** False once a subscription was lost (its connection ended): the follower then subscribes again. */
    default boolean subscribed() {
        return true;
    }

    /**
     * Rollbacks made elsewhere that this instance has not heard (applied from their announcement,
     * made itself, or loaded with a policy's latest snapshot), as their announcements, until
     * {@link #heardRollback} takes them: an instance learning such a policy would otherwise go on
     * from the weights the rollback replaced and undo it with its next save.
     */
    default java.util.List<Announcement> unheardRollbacks() throws SnapshotStoreException {
        return java.util.List.of();
    }

    /** This instance has applied a policy's rollbacks up to this count ({@link Announcement#rollbacks}). */
    default void heardRollback(String name, long rollbacks) {
    }

    /** Bytes of snapshots this instance has sent to the store since it started (what the publisher paces). */
    default long bytesWritten() {
        return 0;
    }

    /** False while the store cannot be reached. */
    default boolean available() {
        return true;
    }
}
