package io.policyrec.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Starts a real redis-server for a Quarkus test and points the service at it. */
public class RedisResource implements QuarkusTestResourceLifecycleManager {
    private static RedisServerProcess redis;

    public static RedisServerProcess redis() {
        return redis;
    }

    @Override
    public Map<String, String> start() {
        try {
            redis = new RedisServerProcess(Files.createTempDirectory(Path.of("target"), "redis-")).start();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return Map.of("quarkus.redis.hosts", redis.url());
    }

    @Override
    public void stop() {
        if (redis != null) {
            redis.close();
        }
    }
}
