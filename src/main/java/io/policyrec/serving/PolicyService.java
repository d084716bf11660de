package io.policyrec.serving;

import io.policyrec.feedback.FeedbackPath;
import io.policyrec.feedback.PolicyHost;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.PolicyConfigSpec;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.policy.PolicySnapshot;
import io.policyrec.policy.ReferenceKind;
import io.policyrec.snapshot.JoinState;
import io.policyrec.snapshot.SnapshotCodec;
import io.policyrec.snapshot.SnapshotInfo;
import io.policyrec.snapshot.SnapshotStore;
import io.policyrec.snapshot.SnapshotStoreException;
import io.policyrec.snapshot.StoredPolicy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The admin operations on policies: create, replace, list, delete, roll back, import and
 * download snapshots. Each is one call to the {@link PolicyHost}, which owns the lifecycle.
 */
@ApplicationScoped
public class PolicyService {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final PolicyRegistry registry;
    private final PolicyHost host;
    private final SnapshotStore store;
    private final Clock clock;
    private final CatalogService catalogs;

    public PolicyService(PolicyRegistry registry, FeedbackPath path, SnapshotStore store, Clock clock,
                         CatalogService catalogs) {
        this.catalogs = catalogs;
        this.registry = registry;
        this.host = path.host();
        this.store = store;
        this.clock = clock;
    }

    /** The outcome of a PUT: the policy as stored, and whether it replaced one. */
    public record Put(PolicySnapshot policy, boolean replaced) {
    }

    public Put put(String name, PolicyConfigSpec spec) {
        checkName(name);
        if (spec == null) {
            throw ProblemException.invalid("body", "a policy config is required");
        }
        PolicyConfigSpec.Resolution r = spec.resolve();
        if (!r.ok()) {
            throw ProblemException.invalid(r.errors());
        }
        return put(name, r.config());
    }

    /** Creates (or replaces) a policy from a config already checked. */
    public Put put(String name, PolicyConfig policyConfig) {
        boolean replaced = registry.get(name) != null;
        PolicySnapshot created = await(host.create(name, policyConfig));
        catalogs.created(created);
        return new Put(created, replaced);
    }

    public PolicySnapshot get(String name) {
        PolicySnapshot s = registry.get(name);
        if (s == null) {
            throw ProblemException.notFound("no policy named '" + name + "'");
        }
        return s;
    }

    public List<SnapshotInfo> snapshots(String name) {
        get(name);
        try {
            return store.versions(name);
        } catch (SnapshotStoreException e) {
            throw unavailable(e);
        }
    }

    public byte[] download(String name, long version) {
        get(name);
        try {
            return store.raw(name, version).orElseThrow(() -> ProblemException.notFound("policy '" + name
                    + "' has no snapshot version " + version));
        } catch (SnapshotStoreException e) {
            throw unavailable(e);
        }
    }

    /** Serving and learning continue from a retained version; the versions after it are dropped. */
    public PolicySnapshot rollback(String name, long version) {
        get(name);
        return await(host.rollback(name, version)).orElseThrow(() -> ProblemException.notFound("policy '" + name
                + "' has no snapshot version " + version));
    }

    /** Creates (or replaces) a policy from a downloaded snapshot: same config, weights and optimizer state. */
    public Put importSnapshot(String name, byte[] bytes) {
        checkName(name);
        StoredPolicy s;
        try {
            s = SnapshotCodec.decode(bytes);
        } catch (SnapshotStoreException e) {
            throw ProblemException.invalid("body", "not a policy snapshot: " + e.getMessage());
        }
        if (s.config().regularizer().reference() == ReferenceKind.PREVIOUS) {
            throw ProblemException.invalid(List.of(PolicyConfigSpec.PREVIOUS_REFUSED));
        }
        boolean replaced = registry.get(name) != null;
        long now = clock.millis();
        StoredPolicy fresh = new StoredPolicy(name, ThreadLocalRandom.current().nextLong(), s.config(), s.version(),
                now, now, s.meanEntropy(), s.learner(), Map.of(), JoinState.EMPTY);
        CompletableFuture<PolicySnapshot> imported;
        try {
            imported = host.restore(fresh, true);
        } catch (RuntimeException e) {
            throw ProblemException.invalid("body", "the snapshot's state does not fit its config: " + e.getMessage());
        }
        PolicySnapshot served = await(imported);
        catalogs.created(served);
        return new Put(served, replaced);
    }

    static ProblemException unavailable(Exception e) {
        return new ProblemException(new Problem("about:blank", "Snapshot store unavailable", 503, e.getMessage(),
                List.of()));
    }

    public List<PolicySnapshot> list() {
        return registry.all().stream().sorted(Comparator.comparing(PolicySnapshot::name)).toList();
    }

    public void delete(String name) {
        if (!await(host.forget(name))) {
            throw ProblemException.notFound("no policy named '" + name + "'");
        }
        catalogs.deleted(name);
    }

    static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ProblemException.invalid("name", "policy names are 1 to 128 letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit");
        }
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw unavailable(e.getCause() instanceof Exception c ? c : e);
        } catch (TimeoutException e) {
            throw new ProblemException(new Problem("about:blank", "Busy", 503, "the learner did not answer in time",
                    List.of()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
