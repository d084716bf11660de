package io.policyrec.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/** The service with the Kafka feedback path on, against a real broker started for the tests. */
public class KafkaProfile implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(KafkaResource.class));
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "policyrec.kafka.partitions", "2",
                "policyrec.kafka.feedback-partitions", "2",
                "policyrec.kafka.grace", "PT0.05S",
                // A reward for a decision never logged counts as unknown within the tests' patience.
                "policyrec.kafka.orphan-wait", "PT1S",
                // Fixed batches (no partial batch learned after a delay): a replay of the logs gives the
                // live weights bit for bit (KafkaReplayTest).
                "policyrec.learner.max-batch-delay", "PT0S",
                "policyrec.instance-id", "test");
    }
}
