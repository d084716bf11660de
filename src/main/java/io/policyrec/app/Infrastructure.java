package io.policyrec.app;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.policyrec.config.PolicyrecConfig;
import io.policyrec.feedback.DecisionLog;
import io.policyrec.feedback.FeedbackIntake;
import io.policyrec.feedback.FeedbackPath;
import io.policyrec.feedback.LearningLoop;
import io.policyrec.feedback.LoopSettings;
import io.policyrec.feedback.kafka.KafkaFeedbackPath;
import io.policyrec.feedback.kafka.KafkaSettings;
import io.policyrec.metrics.PolicyMetrics;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.snapshot.CatalogStore;
import io.policyrec.snapshot.FileCatalogStore;
import io.policyrec.snapshot.FileSnapshotStore;
import io.policyrec.snapshot.RedisCatalogStore;
import io.policyrec.snapshot.RedisSnapshotStore;
import io.policyrec.snapshot.SnapshotPublisher;
import io.policyrec.snapshot.SnapshotStore;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Redis;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.Config;

/**
 * Wires the framework-free parts of the service together from configuration: the embedded
 * default, or the Kafka feedback path when {@code kafka.bootstrap.servers} is set; a local
 * snapshot folder, or Redis when {@code quarkus.redis.hosts} is set. {@link ServiceLifecycle}
 * starts and stops what is wired here.
 */
public class Infrastructure {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    PolicyRegistry registry() {
        return new PolicyRegistry();
    }

    /** The Kafka settings when {@code kafka.bootstrap.servers} is set (every kafka.* property goes to the clients). */
    static Optional<KafkaSettings> kafkaSettings(Config config, PolicyrecConfig policyrec) {
        if (config.getOptionalValue("kafka.bootstrap.servers", String.class).isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> client = new HashMap<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith("kafka.") && !name.startsWith("kafka.devservices")
                    && !name.startsWith("kafka.health") && !name.startsWith("kafka.snappy")) {
                config.getOptionalValue(name, String.class).ifPresent(v -> client.put(name.substring(6), v));
            }
        }
        var k = policyrec.kafka();
        String instance = policyrec.instanceId().orElse(UUID.randomUUID().toString().substring(0, 8));
        return Optional.of(new KafkaSettings(client, k.decisionsTopic(), k.feedbackTopic(), k.routedTopic(),
                k.dlqTopic(), k.partitions(), k.feedbackPartitions(), k.replicationFactor(), k.learnerGroup(),
                k.routerGroup(), k.bufferCapacity(), k.grace(), k.clickReward(), k.createTopics(), instance,
                k.learnerEnabled(), k.routerEnabled(), k.sessionTimeout(), k.orphanWait(), k.maxOrphanRewards()));
    }

    @Produces
    @Singleton
    SnapshotStore snapshotStore(Config config, PolicyrecConfig policyrec, Instance<Redis> redis,
                                Instance<RedisDataSource> dataSource) {
        if (config.getOptionalValue("quarkus.redis.hosts", String.class).isPresent()) {
            var r = policyrec.redis();
            return new RedisSnapshotStore(redis.get(), dataSource.get(), r.prefix(), policyrec.snapshot().retain(),
                    r.timeout());
        }
        return new FileSnapshotStore(Path.of(policyrec.snapshot().dir()), policyrec.snapshot().retain());
    }

    /** The catalogs live where the snapshots do: the same Redis, or the same folder. */
    @Produces
    @Singleton
    CatalogStore catalogStore(Config config, PolicyrecConfig policyrec, Instance<Redis> redis) {
        if (config.getOptionalValue("quarkus.redis.hosts", String.class).isPresent()) {
            return new RedisCatalogStore(redis.get(), policyrec.redis().prefix(), policyrec.redis().timeout());
        }
        return new FileCatalogStore(Path.of(policyrec.snapshot().dir()));
    }

    @Produces
    @Singleton
    SnapshotPublisher snapshotPublisher(SnapshotStore store, MeterRegistry meters, PolicyrecConfig policyrec) {
        return new SnapshotPublisher(store, meters, Duration.ofSeconds(5), policyrec.snapshot().maxBytesPerSecond());
    }

    void closePublisher(@Disposes SnapshotPublisher publisher) {
        publisher.close();
    }

    @Produces
    @Singleton
    LoopSettings loopSettings(PolicyrecConfig config) {
        var p = config.pending();
        var l = config.learner();
        var s = config.snapshot();
        return new LoopSettings(p.maxBytes(), p.maxRemembered(), p.queueCapacity(), l.tick(), l.maxBatchDelay(),
                s.everyUpdates(), s.interval(), l.nice());
    }

    @Produces
    @Singleton
    PolicyMetrics policyMetrics(MeterRegistry meters, PolicyRegistry registry, PolicyrecConfig config,
                                SnapshotPublisher publisher, Clock clock) {
        var m = config.metrics();
        return new PolicyMetrics(meters, registry, new PolicyMetrics.Settings(m.window(), m.learningWindow(),
                m.maxActionLabels(), m.inUseShare(), m.enabled()), name -> {
                    Long at = publisher.writtenAt(name);
                    return at == null ? Double.NaN : (clock.millis() - at) / 1000.0;
                });
    }

    /** Latency histograms with fixed buckets, so that p50 and p99 can be read in Prometheus. */
    @Produces
    @Singleton
    MeterFilter httpBuckets() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (id.getName().startsWith("http.server.requests")) {
                    return DistributionStatisticConfig.builder().serviceLevelObjectives(
                            ms(1), ms(2), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500), ms(1000), ms(5000))
                            .build().merge(config);
                }
                return config;
            }
        };
    }

    private static double ms(long millis) {
        return Duration.ofMillis(millis).toNanos();
    }

    @Produces
    @Singleton
    FeedbackPath feedbackPath(Config config, PolicyrecConfig policyrec, PolicyRegistry registry, SnapshotStore store,
                              SnapshotPublisher publisher, LoopSettings settings, MeterRegistry meters,
                              PolicyMetrics metrics, Clock clock) {
        boolean logDecisions = policyrec.decisionLog().enabled();
        Optional<KafkaSettings> kafka = kafkaSettings(config, policyrec);
        if (kafka.isPresent()) {
            return KafkaFeedbackPath.create(kafka.get(), settings, logDecisions, registry, store, publisher, meters,
                    metrics, clock);
        }
        return FeedbackPath.embedded(new LearningLoop(registry, store, publisher, settings, meters, metrics, clock),
                logDecisions);
    }

    @Produces
    @Singleton
    DecisionLog decisionLog(FeedbackPath path) {
        return path.decisions();
    }

    @Produces
    @Singleton
    FeedbackIntake feedbackIntake(FeedbackPath path) {
        return path.rewards();
    }
}
