package io.policyrec.testing;

import io.policyrec.snapshot.SnapshotInfo;
import io.policyrec.snapshot.SnapshotStore;
import io.policyrec.snapshot.SnapshotStoreException;
import io.policyrec.snapshot.StoredPolicy;
import java.util.List;
import java.util.Optional;

/** A snapshot store that holds nothing: tests extend it with the one behaviour they need. */
public abstract class StubStore implements SnapshotStore {
    @Override
    public boolean saveLearned(StoredPolicy snapshot) throws SnapshotStoreException {
        save(snapshot);
        return true;
    }

    @Override
    public List<StoredPolicy> loadAll(boolean skipUnreadable) {
        return List.of();
    }

    @Override
    public Optional<StoredPolicy> latest(String name) {
        return Optional.empty();
    }

    @Override
    public Optional<StoredPolicy> version(String name, long version) throws SnapshotStoreException {
        return latest(name).filter(s -> s.version() == version);
    }

    @Override
    public Optional<byte[]> raw(String name, long version) {
        return Optional.empty();
    }

    @Override
    public List<SnapshotInfo> versions(String name) {
        return List.of();
    }

    @Override
    public Optional<StoredPolicy> rollback(String name, long version) {
        return Optional.empty();
    }

    @Override
    public void delete(String name) {
    }

    @Override
    public String kind() {
        return "test";
    }
}
