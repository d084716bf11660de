package io.policyrec.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;

/** A test profile with a real Kafka broker and a real Redis server behind the service. */
public class ServersProfile implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(KafkaResource.class), new TestResourceEntry(RedisResource.class));
    }
}
