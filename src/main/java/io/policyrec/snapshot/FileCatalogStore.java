package io.policyrec.snapshot;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The embedded catalog store: {@code <dir>/.catalogs/<policy>.json} ({@code {"version", "items"}}),
 * written to a temporary file and moved over the old one, so that a crash leaves one or the other.
 * One instance writes it. Beside the snapshots' folders, not in them: replacing a policy empties its
 * snapshot folder, and the catalog outlives a replace (a policy name never starts with a dot).
 */
public final class FileCatalogStore implements CatalogStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;
    private final Map<String, StoredCatalog> cache = new HashMap<>();

    public FileCatalogStore(Path dir) {
        this.dir = dir;
    }

    private record FileForm(long version, TreeMap<String, String> items) {
    }

    @Override
    public synchronized long put(String policy, Map<String, String> items) throws SnapshotStoreException {
        StoredCatalog c = read(policy);
        TreeMap<String, String> next = new TreeMap<>(c.items());
        next.putAll(items);
        return write(policy, new StoredCatalog(c.version() + 1, next));
    }

    @Override
    public synchronized long remove(String policy, String id) throws SnapshotStoreException {
        StoredCatalog c = read(policy);
        if (!c.items().containsKey(id)) {
            return -1;
        }
        TreeMap<String, String> next = new TreeMap<>(c.items());
        next.remove(id);
        return write(policy, new StoredCatalog(c.version() + 1, next));
    }

    @Override
    public synchronized long version(String policy) throws SnapshotStoreException {
        return read(policy).version();
    }

    @Override
    public synchronized StoredCatalog read(String policy) throws SnapshotStoreException {
        StoredCatalog cached = cache.get(policy);
        if (cached != null) {
            return cached;
        }
        Path file = file(policy);
        if (!Files.exists(file)) {
            return StoredCatalog.EMPTY;
        }
        try {
            FileForm f = JSON.readValue(file.toFile(), new TypeReference<FileForm>() { });
            if (f == null || f.items() == null) {
                throw new IOException("no items");
            }
            StoredCatalog c = new StoredCatalog(f.version(), java.util.Collections.unmodifiableMap(f.items()));
            cache.put(policy, c);
            return c;
        } catch (IOException | RuntimeException e) {
            throw new SnapshotStoreException("cannot read the catalog of " + policy + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void delete(String policy) throws SnapshotStoreException {
        cache.remove(policy);
        try {
            Files.deleteIfExists(file(policy));
        } catch (IOException e) {
            throw new SnapshotStoreException("cannot delete the catalog of " + policy + ": " + e.getMessage(), e);
        }
    }

    private long write(String policy, StoredCatalog c) throws SnapshotStoreException {
        Path file = file(policy);
        try {
            Files.createDirectories(file.getParent());
            FileSnapshotStore.write(file, JSON.writeValueAsBytes(new FileForm(c.version(), new TreeMap<>(c.items()))));
        } catch (IOException e) {
            cache.remove(policy);
            throw new SnapshotStoreException("cannot write the catalog of " + policy + ": " + e.getMessage(), e);
        }
        cache.put(policy, new StoredCatalog(c.version(), java.util.Collections.unmodifiableMap(new java.util.HashMap<>(c.items()))));
        return c.version();
    }

    private Path file(String policy) {
        return dir.resolve(".catalogs").resolve(policy + ".json");
    }
}
