package io.policyrec.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/** The embedded service with its snapshots in a real Redis server started for the tests. */
public class RedisProfile implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(RedisResource.class));
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("policyrec.snapshot.every-updates", "2", "policyrec.snapshot.interval", "PT1S",
                "policyrec.redis.timeout", "PT0.5S",
                "policyrec.snapshot.retain", "20");
    }
}
