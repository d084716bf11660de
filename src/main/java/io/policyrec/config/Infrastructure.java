package io.policyrec.config;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.policyrec.metrics.PolicyMetrics;
import io.policyrec.feedback.DecisionLog;
import io.policyrec.feedback.FeedbackIntake;
import io.policyrec.feedback.KafkaDecisionLog;
import io.policyrec.feedback.KafkaFeedbackIntake;
import io.policyrec.feedback.KafkaLearner;
import io.policyrec.feedback.KafkaSettings;
import io.policyrec.feedback.LearningLoop;
import io.policyrec.feedback.LoopSettings;
import io.policyrec.feedback.PolicyHost;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.snapshot.FileSnapshotStore;
import io.policyrec.snapshot.RedisSnapshotStore;
import io.policyrec.snapshot.SnapshotPublisher;
import io.policyrec.snapshot.SnapshotStore;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Redis;
import jakarta.enterprise.inject.Instance;
import java.time.Duration;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.Config;

/**
 * Wires the framework-free parts of the service together from configuration: the embedded
 * default, or the Kafka feedback path when {@code kafka.bootstrap.servers} is set.
 */
public class Infrastructure {

    /** The running mode, decided once from configuration. */
    public record Mode(boolean kafka, KafkaSettings kafkaSettings) {
    }

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

    @Produces
    @Singleton
    Mode mode(Config config, PolicyrecConfig policyrec) {
        if (config.getOptionalValue("kafka.bootstrap.servers", String.class).isEmpty()) {
            return new Mode(false, null);
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
        return new Mode(true, new KafkaSettings(client, k.decisionsTopic(), k.feedbackTopic(), k.routedTopic(),
                k.dlqTopic(), k.partitions(), k.feedbackPartitions(), k.replicationFactor(), k.learnerGroup(),
                k.routerGroup(), k.bufferCapacity(), k.grace(), k.clickReward(), k.createTopics(), instance,
                k.learnerEnabled(), k.routerEnabled(), k.sessionTimeout()));
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

    @Produces
    @Singleton
    SnapshotPublisher snapshotPublisher(SnapshotStore store, MeterRegistry meters) {
        return new SnapshotPublisher(store, meters, Duration.ofSeconds(5));
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
                s.everyUpdates(), s.interval());
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
    PolicyHost policyHost(Mode mode, PolicyRegistry registry, SnapshotStore store, SnapshotPublisher publisher,
                          LoopSettings settings, MeterRegistry meters, PolicyMetrics metrics, Clock clock) {
        if (mode.kafka()) {
            return new KafkaLearner(mode.kafkaSettings(), settings, registry, store, publisher, meters, metrics,
                    clock);
        }
        return new LearningLoop(registry, store, publisher, settings, meters, metrics, clock);
    }

    @Produces
    @Singleton
    DecisionLog decisionLog(Mode mode, PolicyHost host, MeterRegistry meters, PolicyrecConfig config) {
        if (!config.decisionLog().enabled()) {
            return decision -> { };
        }
        if (mode.kafka()) {
            return new KafkaDecisionLog(mode.kafkaSettings(), meters);
        }
        LearningLoop loop = (LearningLoop) host;
        return loop::offerDecision;
    }

    void closeDecisionLog(@Disposes DecisionLog log) {
        if (log instanceof KafkaDecisionLog k) {
            k.close();
        }
    }

    @Produces
    @Singleton
    FeedbackIntake feedbackIntake(Mode mode, PolicyHost host) {
        if (mode.kafka()) {
            return new KafkaFeedbackIntake(mode.kafkaSettings());
        }
        LearningLoop loop = (LearningLoop) host;
        return loop::offerReward;
    }

    void closeIntake(@Disposes FeedbackIntake intake) {
        if (intake instanceof KafkaFeedbackIntake k) {
            k.close();
        }
    }
}
