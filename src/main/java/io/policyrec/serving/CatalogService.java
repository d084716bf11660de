package io.policyrec.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import io.policyrec.features.InvalidFeaturesException;
import io.policyrec.features.NamedFeatures;
import io.policyrec.features.RequestCandidates;
import io.policyrec.policy.Candidate;
import io.policyrec.policy.CandidateLayout;
import io.policyrec.policy.Catalog;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.policy.PolicySnapshot;
import io.policyrec.snapshot.CatalogStore;
import io.policyrec.snapshot.SnapshotStoreException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The catalogs of the policies over action features: what the admin API adds and removes (checked
 * as a request's candidates are, then stored), and what serving reads ({@link #catalog}), hashed for
 * each policy's layout once per catalog version. {@link #refresh()} reloads every catalog whose
 * stored version moved, or whose policy was replaced: at start-up and on a schedule, which is how
 * a change made on one instance reaches the others, and how a load that failed is tried again.
 */
@ApplicationScoped
public class CatalogService {
    private static final Logger LOG = Logger.getLogger(CatalogService.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The most actions one catalog holds. */
    public static final int MAX_ITEMS = 100_000;

    private final CatalogStore store;
    private final PolicyRegistry registry;
    private final Map<String, Served> served = new ConcurrentHashMap<>();

    /**
     * A policy's catalog as served, the incarnation whose layout hashed it, and each action's
     * features as stored (a reload reuses the candidates whose stored features did not change).
     */
    private record Served(long incarnation, Catalog catalog, Map<String, String> stored) {
    }

    public CatalogService(CatalogStore store, PolicyRegistry registry) {
        this.store = store;
        this.registry = registry;
    }

    /** The catalog serving reads for a policy (empty when it has none). */
    public Catalog catalog(String policy) {
        Served s = served.get(policy);
        return s == null ? Catalog.EMPTY : s.catalog();
    }

    /**
     * The catalog for this incarnation of a policy: one hashed for an earlier incarnation (replaced
     * on another instance, not refreshed here yet) may not fit its layout, so it is not offered.
     */
    public Catalog catalog(PolicySnapshot policy) {
        Served s = served.get(policy.name());
        return s == null || s.incarnation() != policy.incarnation() ? Catalog.EMPTY : s.catalog();
    }

    /** Loads the catalog of a policy just created, replaced or imported here. */
    public void created(PolicySnapshot policy) {
        if (policy.config().candidates()) {
            try {
                reload(policy);
            } catch (ProblemException e) {
                LOG.warnf("Cannot load the catalog of %s now (the next refresh will, within a poll interval): %s",
                        policy.name(),
                        e.getMessage());
            }
        }
    }

    /** Adds or replaces one action; true when it is new. */
    public boolean put(String policy, String id, JsonNode body) {
        PolicySnapshot p = candidatePolicy(policy);
        String checked;
        try {
            checked = RequestCandidates.id(TextNode.valueOf(id), "id");
        } catch (InvalidFeaturesException e) {
            throw ProblemException.invalid(e.field(), e.reason());
        }
        JsonNode features = body == null || !body.isObject() ? null : body.get("features");
        check(p, checked, features, "features");
        boolean added = !catalog(policy).candidates().containsKey(checked);
        write(p, Map.of(checked, features.toString()), 1);
        return added;
    }

    /** Adds or replaces many actions, {@code [{"id", "features"}, ...]}; returns the catalog's version. */
    public long putAll(String policy, JsonNode items) {
        PolicySnapshot p = candidatePolicy(policy);
        if (items == null || !items.isArray() || items.isEmpty()) {
            throw ProblemException.invalid("actions", "must be a non-empty array of {\"id\", \"features\"}");
        }
        Map<String, String> add = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            String field = "[" + i + "]";
            if (item == null || !item.isObject()) {
                throw ProblemException.invalid(field, "must be an object {\"id\", \"features\"}");
            }
            String id;
            try {
                id = RequestCandidates.id(item.get("id"), field + ".id");
            } catch (InvalidFeaturesException e) {
                throw ProblemException.invalid(e.field(), e.reason());
            }
            check(p, id, item.get("features"), field + ".features");
            if (add.put(id, item.get("features").toString()) != null) {
                throw ProblemException.invalid(field + ".id", "'" + id + "' is in the list twice");
            }
        }
        return write(p, add, add.size());
    }

    /** Removes an action; false when the catalog held no such id. */
    public boolean remove(String policy, String id) {
        PolicySnapshot p = candidatePolicy(policy);
        long version;
        try {
            version = store.remove(policy, id);
        } catch (SnapshotStoreException e) {
            throw PolicyService.unavailable(e);
        }
        if (version < 0) {
            return false;
        }
        changed(p, version, Map.of(), id);
        return true;
    }

    /** Forgets a deleted policy's catalog, stored and served. */
    public void deleted(String policy) {
        served.remove(policy);
        try {
            store.delete(policy);
        } catch (SnapshotStoreException e) {
            LOG.warnf("Cannot delete the catalog of deleted policy %s: %s", policy, e.getMessage());
        }
    }

    /** Reloads every catalog whose stored version moved (or whose policy was replaced). */
    public void refresh() {
        for (PolicySnapshot p : registry.all()) {
            if (!p.config().candidates()) {
                continue;
            }
            Served s = served.get(p.name());
            try {
                if (s == null || s.incarnation() != p.incarnation() || s.catalog().version() != store.version(p.name())) {
                    reload(p);
                }
            } catch (SnapshotStoreException | RuntimeException e) {
                LOG.warnf("Cannot refresh the catalog of %s (serving the one before): %s", p.name(), e.getMessage());
            }
        }
        served.keySet().removeIf(name -> registry.get(name) == null);
    }

    private long write(PolicySnapshot p, Map<String, String> items, int adding) {
        if (catalog(p.name()).size() + adding > MAX_ITEMS) {
            throw ProblemException.invalid("actions", "a catalog holds at most " + MAX_ITEMS + " actions");
        }
        long version;
        try {
            version = store.put(p.name(), items);
        } catch (SnapshotStoreException e) {
            throw PolicyService.unavailable(e);
        }
        changed(p, version, items, null);
        return version;
    }

    /**
     * After a change made here (items put, or an id removed) that the store numbered {@code version}:
     * when the catalog served is the version just before it, the store now holds that catalog with
     * this change, so it is built from them without reading the whole catalog back (a change to a
     * catalog of 100,000 in Redis would read all of it). Otherwise another change came between: a
     * reload.
     */
    private void changed(PolicySnapshot p, long version, Map<String, String> put, String removed) {
        Served before = served.get(p.name());
        if (before == null || before.incarnation() != p.incarnation() || before.catalog().version() != version - 1) {
            reload(p);
            return;
        }
        Map<String, String> items = new HashMap<>(before.stored());
        items.putAll(put);
        if (removed != null) {
            items.remove(removed);
        }
        serve(p, new CatalogStore.StoredCatalog(version, items));
    }

    private void reload(PolicySnapshot p) {
        CatalogStore.StoredCatalog stored;
        try {
            stored = store.read(p.name());
        } catch (SnapshotStoreException e) {
            throw PolicyService.unavailable(e);
        }
        serve(p, stored);
    }

    /** Serves a stored catalog, hashed for the policy's layout. */
    private void serve(PolicySnapshot p, CatalogStore.StoredCatalog stored) {
        CandidateLayout layout = p.config().candidateLayout();
        List<String> ids = new ArrayList<>(stored.items().keySet());
        java.util.Collections.sort(ids);
        // One change to a catalog of 100,000 reads and hashes one action, not all of them: the
        // others are the candidates hashed before, when their stored features are the same string.
        Served before = served.get(p.name());
        if (before != null && before.incarnation() != p.incarnation()) {
            before = null;
        }
        Map<String, Candidate> candidates = new HashMap<>(2 * ids.size());
        Map<String, JsonNode> features = new HashMap<>(2 * ids.size());
        for (String id : ids) {
            String json = stored.items().get(id);
            Candidate kept = before == null ? null : before.catalog().candidates().get(id);
            if (kept != null && json.equals(before.stored().get(id))) {
                candidates.put(id, kept);
                features.put(id, before.catalog().features().get(id));
                continue;
            }
            try {
                JsonNode f = JSON.readTree(json);
                candidates.put(id, RequestCandidates.candidate(id, f, "features", layout, NamedFeatures.DEFAULT_LIMITS));
                features.put(id, f);
            } catch (IOException | RuntimeException e) {
                LOG.warnf("Catalog of %s: action '%s' cannot be read (left out): %s", p.name(), id, e.getMessage());
            }
        }
        ids.removeIf(id -> !candidates.containsKey(id));
        Served fresh = new Served(p.incarnation(), Catalog.of(stored.version(), java.util.Collections.unmodifiableList(ids),
                java.util.Collections.unmodifiableMap(candidates), java.util.Collections.unmodifiableMap(features)),
                stored.items());
        // Admin writes and the refresh reload concurrently: a reload that read an older version, or
        // hashed for an incarnation the registry no longer serves, does not replace a newer one.
        PolicySnapshot current = registry.get(p.name());
        if (current == null || current.incarnation() != p.incarnation()) {
            return;
        }
        served.compute(p.name(), (name, old) -> old != null && old.incarnation() == fresh.incarnation()
                && old.catalog().version() > fresh.catalog().version() ? old : fresh);
    }

    private void check(PolicySnapshot p, String id, JsonNode features, String field) {
        try {
            RequestCandidates.candidate(id, features, field, p.config().candidateLayout(), NamedFeatures.DEFAULT_LIMITS);
        } catch (InvalidFeaturesException e) {
            throw ProblemException.invalid(e.field(), e.reason());
        }
    }

    private PolicySnapshot candidatePolicy(String name) {
        PolicySnapshot p = registry.get(name);
        if (p == null) {
            throw ProblemException.notFound("no policy named '" + name + "'");
        }
        if (!p.config().candidates()) {
            throw ProblemException.invalid("policy", "'" + name + "' has fixed actions; a catalog is for a policy "
                    + "over action features (\"actions\": {\"type\": \"features\"})");
        }
        return p;
    }
}
