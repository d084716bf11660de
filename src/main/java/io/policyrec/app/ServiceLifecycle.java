package io.policyrec.app;

import io.policyrec.background.Background;
import io.policyrec.background.Worker;
import io.policyrec.config.PolicyrecConfig;
import io.policyrec.feedback.FeedbackPath;
import io.policyrec.feedback.SnapshotFollower;
import io.policyrec.learning.Nd4jRuntime;
import io.policyrec.metrics.PolicyMetrics;
import io.policyrec.metrics.ThreadCpu;
import io.policyrec.policy.PolicyConfigSpec;
import io.policyrec.policy.PolicyProperties;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.serving.CatalogService;
import io.policyrec.serving.PolicyService;
import io.policyrec.snapshot.SnapshotStore;
import io.policyrec.snapshot.SnapshotStoreException;
import io.policyrec.snapshot.StoredPolicy;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Starts the service's parts in order and stops them in reverse: ND4J, the policies kept in the
 * snapshot store, the policies configured by properties, the feedback path (learning), the
 * metrics refresh, and the followers of a shared store (its snapshots, and the catalogs). The parts are wired in
 * {@link Infrastructure}; nothing else starts or stops them.
 */
@ApplicationScoped
public class ServiceLifecycle {
    private static final Logger LOG = Logger.getLogger(ServiceLifecycle.class);

    private final PolicyrecConfig config;
    private final FeedbackPath path;
    private final SnapshotStore store;
    private final PolicyRegistry registry;
    private final PolicyService policies;
    private final PolicyMetrics metrics;
    private final io.micrometer.core.instrument.MeterRegistry meters;
    private final List<Background> running = new ArrayList<>();
    private Worker metricsRefresh;
    private Worker catalogRefresh;
    private final CatalogService catalogs;

    public ServiceLifecycle(PolicyrecConfig config, FeedbackPath path, SnapshotStore store, PolicyRegistry registry,
                            PolicyService policies, PolicyMetrics metrics,
                            io.micrometer.core.instrument.MeterRegistry meters, CatalogService catalogs) {
        this.catalogs = catalogs;
        this.meters = meters;
        this.config = config;
        this.path = path;
        this.store = store;
        this.registry = registry;
        this.policies = policies;
        this.metrics = metrics;
    }

    void onStart(@Observes StartupEvent event) {
        Nd4jRuntime.start(config.learner().threads());
        for (StoredPolicy stored : loadAtStart()) {
            path.host().restore(stored, false).join();
            LOG.infof("Restored policy '%s' at version %d", stored.name(), stored.version());
        }
        config.policies().forEach(this::createConfigured);
        catalogs.refresh();
        start(path);
        metrics.refresh();
        ThreadCpu.register(meters);
        metricsRefresh = Worker.every("policyrec-metrics", config.metrics().refresh(), metrics::refresh);
        if (store.shared()) {
            start(new SnapshotFollower(store, registry, path.host(), config.redis().pollInterval(), meters));
        }
        // Another instance's catalog changes, replaced policies, a load that failed: found by versions,
        // as often as a shared store's snapshots are polled (a local store's reads are cached).
        catalogRefresh = Worker.every("policyrec-catalogs", config.redis().pollInterval(), catalogs::refresh);
        LOG.infof("Running with %s feedback and %s snapshots", path.mode(), store.kind());
    }

    private void start(Background part) {
        part.start();
        running.add(part);
    }

    /** The snapshots to start from; with the store away, none: the follower loads them when it returns. */
    private List<StoredPolicy> loadAtStart() {
        try {
            return store.loadAll();
        } catch (SnapshotStoreException e) {
            LOG.errorf("Cannot read snapshots at start-up (%s); serving what the store later provides", e.getMessage());
            return List.of();
        }
    }

    private void createConfigured(String name, Map<String, String> properties) {
        if (registry.get(name) != null) {
            return;
        }
        PolicyConfigSpec.Resolution r;
        try {
            r = PolicyProperties.toSpec(properties).resolve();
        } catch (PolicyProperties.Invalid e) {
            throw new IllegalStateException("policyrec.policies." + name + ": " + e.getMessage());
        }
        if (!r.ok()) {
            throw new IllegalStateException("policyrec.policies." + name + " is invalid: " + r.errors());
        }
        policies.put(name, r.config());
        LOG.infof("Created policy '%s' from configuration", name);
    }

    /** Stops the follower, learning (with its final snapshots) and the metrics refresh, in that order. */
    void onStop(@Observes ShutdownEvent event) {
        Collections.reverse(running);
        running.forEach(Background::close);
        running.clear();
        if (metricsRefresh != null) {
            metricsRefresh.stop();
        }
        if (catalogRefresh != null) {
            catalogRefresh.stop();
        }
        LOG.info("Final snapshots written");
    }
}
