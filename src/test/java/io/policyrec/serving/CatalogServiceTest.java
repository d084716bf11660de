package io.policyrec.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.policyrec.learning.Learner;
import io.policyrec.policy.Catalog;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.PolicyProperties;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.snapshot.CatalogStore;
import io.policyrec.snapshot.FileCatalogStore;
import io.policyrec.snapshot.SnapshotStoreException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change made on this instance is served from the catalog it served and the change, without
 * reading the whole catalog back from the store, unless another change came between.
 */
class CatalogServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** A store that counts whole reads. */
    static final class CountingStore implements CatalogStore {
        final CatalogStore inner;
        int reads;

        CountingStore(CatalogStore inner) {
            this.inner = inner;
        }

        @Override
        public long put(String policy, Map<String, String> items) throws SnapshotStoreException {
            return inner.put(policy, items);
        }

        @Override
        public long remove(String policy, String id) throws SnapshotStoreException {
            return inner.remove(policy, id);
        }

        @Override
        public long version(String policy) throws SnapshotStoreException {
            return inner.version(policy);
        }

        @Override
        public StoredCatalog read(String policy) throws SnapshotStoreException {
            reads++;
            return inner.read(policy);
        }

        @Override
        public void delete(String policy) throws SnapshotStoreException {
            inner.delete(policy);
        }
    }

    static void assertSameCatalog(Catalog want, Catalog got) {
        assertEquals(want.version(), got.version());
        assertEquals(want.ids(), got.ids());
        for (String id : want.ids()) {
            assertEquals(want.features().get(id), got.features().get(id), id);
            assertEquals(want.candidates().get(id).identity(), got.candidates().get(id).identity(), id);
            assertTrue(Arrays.equals(want.candidates().get(id).features().indices(),
                    got.candidates().get(id).features().indices()), id);
            assertTrue(Arrays.equals(want.candidates().get(id).features().values(),
                    got.candidates().get(id).features().values()), id);
        }
    }

    @Test
    void aChangeMadeHereIsServedWithoutReadingTheCatalogBack() throws Exception {
        PolicyConfig config = PolicyProperties.toSpec(Map.of("input.type", "features", "input.bits", "8",
                "actions.type", "features", "actions.bits", "8")).resolve().config();
        PolicyRegistry registry = new PolicyRegistry();
        registry.put(Learner.create(config).served("shop", 1, config, 0));
        CountingStore store = new CountingStore(new FileCatalogStore(dir));
        CatalogService catalogs = new CatalogService(store, registry);
        catalogs.created(registry.get("shop"));
        catalogs.putAll("shop", JSON.readTree("[{\"id\": \"b\", \"features\": {\"price\": 2}},"
                + " {\"id\": \"c\", \"features\": {\"tag\": \"x\"}}]"));
        int reads = store.reads;

        catalogs.put("shop", "a", JSON.readTree("{\"features\": {\"price\": 1, \"tag\": \"y\"}}"));
        catalogs.put("shop", "b", JSON.readTree("{\"features\": {\"price\": 3}}"));
        assertTrue(catalogs.remove("shop", "c"));
        assertEquals(reads, store.reads, "three changes made here, none read back");
        Catalog served = catalogs.catalog("shop");
        assertEquals(List.of("a", "b"), served.ids());
        assertEquals(3, served.features().get("b").get("price").intValue());

        CatalogService fresh = new CatalogService(new FileCatalogStore(dir), registry);
        fresh.created(registry.get("shop"));
        assertSameCatalog(fresh.catalog("shop"), served);

        // Another instance changes the catalog (in the store, not through this service): the next
        // change here finds a version between, and reads the catalog.
        store.inner.put("shop", Map.of("d", "{\"price\": 4}"));
        catalogs.put("shop", "e", JSON.readTree("{\"features\": {\"price\": 5}}"));
        assertEquals(reads + 1, store.reads);
        assertEquals(List.of("a", "b", "d", "e"), catalogs.catalog("shop").ids());
    }
}
