package io.policyrec.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/** The service with Kafka on and an admin key, for hostile input. */
public class FuzzProfile implements QuarkusTestProfile {
    public static final String ADMIN = "fuzz-admin-key";

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(KafkaResource.class));
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("policyrec.kafka.partitions", "2", "policyrec.kafka.feedback-partitions", "2",
                "policyrec.security.admin-key", ADMIN, "policyrec.instance-id", "fuzz");
    }
}
