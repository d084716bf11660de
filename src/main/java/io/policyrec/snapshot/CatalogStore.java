package io.policyrec.snapshot;

import java.util.Map;

/**
 * Where each policy over action features keeps its catalog: the actions an application has
 * described once, by id, so that requests may name them instead of bringing their features. Each
 * item is its features as JSON text; every change moves the catalog's version, which is how other
 * instances notice it (they compare versions when they poll). Kept beside the snapshots (the same
 * folder, or the same Redis), apart from them: a catalog changes when the application says so, not
 * when the policy learns, and a rollback of the weights leaves it as it is.
 */
public interface CatalogStore {

    /** A catalog as read: its version and its items (id to features as JSON text). */
    record StoredCatalog(long version, Map<String, String> items) {
        public static final StoredCatalog EMPTY = new StoredCatalog(0, Map.of());
    }

    /** Adds or replaces items; returns the catalog's new version. */
    long put(String policy, Map<String, String> items) throws SnapshotStoreException;

    /** Removes an item; returns the catalog's new version, or -1 when it held no such item. */
    long remove(String policy, String id) throws SnapshotStoreException;

    /** The catalog's version: 0 for a policy without one. */
    long version(String policy) throws SnapshotStoreException;

    /** The whole catalog, items and version read together. */
    StoredCatalog read(String policy) throws SnapshotStoreException;

    /** Forgets the catalog (the policy was deleted). */
    void delete(String policy) throws SnapshotStoreException;
}
