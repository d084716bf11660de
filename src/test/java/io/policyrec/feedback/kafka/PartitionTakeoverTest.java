package io.policyrec.feedback.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.policyrec.feedback.LoopSettings;
import io.policyrec.learning.LearnerState;
import io.policyrec.learning.PolicyGradientLearner;
import io.policyrec.metrics.LearningObserver;
import io.policyrec.policy.ActionSet;
import io.policyrec.policy.BaselineKind;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.policy.ReferenceKind;
import io.policyrec.policy.RegularizerSettings;
import io.policyrec.policy.RegularizerType;
import io.policyrec.policy.RewardAggregation;
import io.policyrec.snapshot.FileSnapshotStore;
import io.policyrec.snapshot.JoinState;
import io.policyrec.snapshot.SnapshotPublisher;
import io.policyrec.snapshot.StoredPolicy;
import io.policyrec.testing.KafkaProfile;
import io.policyrec.testing.KafkaResource;
import io.policyrec.testing.Poll;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * An instance that takes a partition over serves what it learns from then on: the store's latest.
 * In the first case it follows a policy at version 0 while another instance learns it, which hands
 * the partition over with a final snapshot at version 1. The follower passes over the policies
 * learned here, so without serving the taken-over learner's version the instance went on serving
 * version 0 until its own next step (the local stack's smoke check waited 30 s for it in CI). Uses the tests' broker with
 * topics and a group of its own; the service under test is not involved.
 */
@QuarkusTest
@TestProfile(KafkaProfile.class)
class PartitionTakeoverTest {
    static final String NAME = "takeover";

    @Test
    void theNewOwnerServesTheVersionItLearnsNotTheOlderOneItFollowed(@TempDir Path dir) throws Exception {
        // Followed at 0; the previous owner's final snapshot is 1.
        assertEquals(1, servedAfterTakeover(dir, 0, 0, 1), "the version learned here is the one served");
    }

    @Test
    void andNotANewerOneTheStoreNoLongerHas(@TempDir Path dir) throws Exception {
        // Followed at 2; rolled back to 1 elsewhere, and the rollback's announcement not heard here.
        assertEquals(1, servedAfterTakeover(dir, 2, 1), "the store's latest, which the learner starts from");
    }

    /** The version served once a learner took the partition over, having served followed before. */
    static long servedAfterTakeover(Path dir, long followed, long... inStore) throws Exception {
        KafkaSettings settings = new KafkaSettings(
                Map.of("bootstrap.servers", KafkaResource.broker().bootstrapServers()), "takeover.decisions",
                "takeover.feedback", "takeover.routed", "takeover.dlq", 1, 1, (short) 1, "takeover-learners",
                "takeover-routers", 1000, Duration.ofMillis(50), 1.0, true, "takeover-test", true, false,
                Duration.ofSeconds(10), Duration.ofSeconds(1), 100);
        KafkaTopics.ensure(settings);
        FileSnapshotStore store = new FileSnapshotStore(dir, 5);
        for (long v : inStore) {
            store.save(stored(v));
        }
        PolicyRegistry registry = new PolicyRegistry();
        registry.put(stored(followed).served()); // what this instance followed before it owned the partition
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        LoopSettings loop = new LoopSettings(1 << 24, 1000, 1000, Duration.ofMillis(50), Duration.ZERO, 100,
                Duration.ofSeconds(10), 0);
        try (SnapshotPublisher publisher = new SnapshotPublisher(store, meters, Duration.ofSeconds(1))) {
            KafkaLearner learner = new KafkaLearner(settings, loop, registry, store, publisher, meters,
                    LearningObserver.NONE, Clock.systemUTC());
            learner.start();
            try {
                // What is served is set before the partition counts as owned, on the same thread.
                Poll.until(() -> learner.ownedPartitions().contains(0), 60_000, "the partition is assigned");
                return registry.get(NAME).version();
            } finally {
                learner.close();
            }
        }
    }

    static StoredPolicy stored(long version) {
        PolicyConfig config = new PolicyConfig(4, ActionSet.ofCount(3), List.of(5), 0.01, 1,
                new RegularizerSettings(RegularizerType.ENTROPY, 0.1, ReferenceKind.UNIFORM, null, 0.01, 3), 0.0,
                Duration.ofSeconds(30), 0.0, RewardAggregation.EARLIEST, 1, BaselineKind.MEAN, 10.0);
        LearnerState s = PolicyGradientLearner.create(config, DataType.FLOAT).state();
        LearnerState at = new LearnerState(s.params(), s.optimizerState(), version, s.baseline(),
                s.baselineBatches(), s.lambda(), List.of());
        return new StoredPolicy(NAME, 5, config, version, 1, 2, 0.5, at, Map.of(), JoinState.EMPTY);
    }
}
