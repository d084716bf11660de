package io.policyrec.serving;

import io.policyrec.config.PolicyrecConfig;
import io.policyrec.config.Infrastructure;
import io.policyrec.feedback.FeedbackRouter;
import io.policyrec.feedback.KafkaTopics;
import io.policyrec.feedback.PolicyHost;
import io.micrometer.core.instrument.MeterRegistry;
import io.policyrec.learning.Nd4jRuntime;
import io.policyrec.learning.PolicyGradientLearner;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.PolicyConfigSpec;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.policy.PolicySnapshot;
import io.policyrec.policy.PolicyWeights;
import io.policyrec.snapshot.JoinState;
import io.policyrec.snapshot.RedisSnapshotStore;
import io.policyrec.snapshot.SnapshotCodec;
import io.policyrec.snapshot.SnapshotInfo;
import io.policyrec.snapshot.SnapshotStore;
import io.policyrec.snapshot.SnapshotStoreException;
import io.policyrec.snapshot.StoredPolicy;
import java.util.Map;
import java.util.Optional;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.nd4j.linalg.api.buffer.DataType;

/** Creating, replacing and deleting policies; restoring them at start-up, saving them at shutdown. */
@ApplicationScoped
public class PolicyService {
    private static final Logger LOG = Logger.getLogger(PolicyService.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final PolicyRegistry registry;
    private final PolicyHost host;
    private final SnapshotStore store;
    private final PolicyrecConfig config;
    private final Infrastructure.Mode mode;
    private final MeterRegistry meters;
    private final Clock clock;
    private FeedbackRouter router;
    private SnapshotFollower follower;
    private Thread metricsRefresher;

    private final io.policyrec.metrics.PolicyMetrics metrics;

    public PolicyService(PolicyRegistry registry, PolicyHost host, SnapshotStore store, PolicyrecConfig config,
                         Infrastructure.Mode mode, MeterRegistry meters, io.policyrec.metrics.PolicyMetrics metrics,
                         Clock clock) {
        this.metrics = metrics;
        this.registry = registry;
        this.host = host;
        this.store = store;
        this.config = config;
        this.mode = mode;
        this.meters = meters;
        this.clock = clock;
    }

    /** The outcome of a PUT: the policy as stored, and whether it replaced one. */
    public record Put(PolicySnapshot policy, boolean replaced) {
    }

    void onStart(@Observes StartupEvent event) throws SnapshotStoreException {
        Nd4jRuntime.start(config.learner().threads());
        if (mode.kafka() && mode.kafkaSettings().createTopics()) {
            KafkaTopics.ensure(mode.kafkaSettings());
        }
        for (StoredPolicy stored : loadAtStart()) {
            PolicyGradientLearner learner = PolicyGradientLearner.restore(stored.config(), stored.learner());
            host.adopt(toServe(stored), learner, false).join();
            LOG.infof("Restored policy '%s' at version %d", stored.name(), stored.version());
        }
        config.policies().forEach((name, properties) -> {
            if (registry.get(name) == null) {
                PolicyConfigSpec.Resolution r = PolicyProperties.toSpec(properties).resolve();
                if (!r.ok()) {
                    throw new IllegalStateException("policyrec.policies." + name + " is invalid: " + r.errors());
                }
                put(name, r.config());
                LOG.infof("Created policy '%s' from configuration", name);
            }
        });
        host.start();
        startMetricsRefresh(config.metrics().refresh().toMillis());
        if (store instanceof RedisSnapshotStore) {
            follower = new SnapshotFollower(store, registry, host, config.redis().pollInterval());
            follower.start();
        }
        if (mode.kafka() && mode.kafkaSettings().router()) {
            router = new FeedbackRouter(mode.kafkaSettings(), meters);
            router.start();
        }
        LOG.infof("Running %s", mode.kafka() ? "with Kafka at " + mode.kafkaSettings().clientProperties()
                .get("bootstrap.servers") : "embedded (HTTP feedback, in-process join, local snapshots)");
    }

    private void startMetricsRefresh(long everyMillis) {
        metrics.refresh();
        metricsRefresher = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(everyMillis);
                    metrics.refresh();
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.debugf("metrics refresh failed: %s", e.toString());
                }
            }
        }, "policyrec-metrics");
        metricsRefresher.setDaemon(true);
        metricsRefresher.start();
    }

    /** The snapshots to start from; with the store away, none: the follower loads them when it returns. */
    private java.util.List<StoredPolicy> loadAtStart() {
        try {
            return store.loadAll();
        } catch (SnapshotStoreException e) {
            LOG.errorf("Cannot read snapshots at start-up (%s); serving what the store later provides", e.getMessage());
            return java.util.List.of();
        }
    }

    /** What serving needs from a stored snapshot: its weights as floats, no learner. */
    static PolicySnapshot toServe(StoredPolicy s) {
        double[] params = s.learner().params();
        float[] flat = new float[params.length];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = (float) params[i];
        }
        return new PolicySnapshot(s.name(), s.incarnation(), s.config(), s.version(), s.updates(),
                PolicyWeights.fromFlat(s.config().layerWidths(), flat), s.learner().lambda(), s.createdAt());
    }

    void onStop(@Observes ShutdownEvent event) {
        if (metricsRefresher != null) {
            metricsRefresher.interrupt();
        }
        if (follower != null) {
            follower.close();
        }
        if (router != null) {
            router.close();
        }
        host.close();
        LOG.info("Final snapshots written");
    }

    /** What the readiness check reports about learning. */
    public String learningHealth() {
        return host.health();
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

    private Put put(String name, PolicyConfig policyConfig) {
        boolean replaced = registry.get(name) != null;
        PolicyGradientLearner learner = PolicyGradientLearner.create(policyConfig, DataType.FLOAT);
        PolicySnapshot snapshot = new PolicySnapshot(name, ThreadLocalRandom.current().nextLong(), policyConfig, 0, 0,
                learner.weights(), learner.lambda(), clock.millis());
        await(host.adopt(snapshot, learner, true));
        return new Put(snapshot, replaced);
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
        Optional<StoredPolicy> s = await(host.rollback(name, version));
        if (s.isEmpty()) {
            throw ProblemException.notFound("policy '" + name + "' has no snapshot version " + version);
        }
        PolicySnapshot served = toServe(s.get());
        registry.put(served);
        return served;
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
        boolean replaced = registry.get(name) != null;
        long now = clock.millis();
        StoredPolicy fresh = new StoredPolicy(name, ThreadLocalRandom.current().nextLong(), s.config(), s.version(),
                now, now, s.meanEntropy(), s.learner(), Map.of(), JoinState.EMPTY);
        PolicyGradientLearner learner;
        PolicySnapshot snapshot;
        try {
            learner = PolicyGradientLearner.restore(fresh.config(), fresh.learner());
            snapshot = toServe(fresh);
        } catch (RuntimeException e) {
            throw ProblemException.invalid("body", "the snapshot's state does not fit its config: " + e.getMessage());
        }
        await(host.adopt(snapshot, learner, true));
        return new Put(snapshot, replaced);
    }

    static ProblemException unavailable(Exception e) {
        return new ProblemException(new Problem("about:blank", "Snapshot store unavailable", 503, e.getMessage(),
                List.of()));
    }

    public List<PolicySnapshot> list() {
        Collection<PolicySnapshot> all = registry.all();
        return all.stream().sorted(Comparator.comparing(PolicySnapshot::name)).toList();
    }

    public void delete(String name) {
        if (!await(host.forget(name))) {
            throw ProblemException.notFound("no policy named '" + name + "'");
        }
    }

    static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ProblemException.invalid("name", "policy names are 1 to 128 letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit");
        }
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> future) {
        try {
            return future.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw unavailable(e.getCause() instanceof Exception c ? c : e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new ProblemException(new Problem("about:blank", "Busy", 503, "the learner did not answer in time",
                    List.of()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
