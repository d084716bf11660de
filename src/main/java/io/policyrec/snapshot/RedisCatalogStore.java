package io.policyrec.snapshot;

import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Catalogs in Redis, shared by every instance: per policy {@code p{name}:catalog}, a hash of id to
 * features (JSON text), and {@code p{name}:catalog-version}, moved by every change in the same
 * script, in the policy's slot as its snapshot keys ({@link RedisSnapshotStore}), so that a reader
 * gets items and version together on one node or a Redis Cluster.
 */
public final class RedisCatalogStore implements CatalogStore {
    /** KEYS: catalog, version. ARGV: id, features, id, features, ... Returns the new version. */
    private static final String PUT = """
            for i = 1, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
            return redis.call('INCR', KEYS[2])
            """;
    /** KEYS: catalog, version. ARGV: id. Returns the new version, or -1 when the id was not there. */
    private static final String REMOVE = """
            if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return -1 end
            return redis.call('INCR', KEYS[2])
            """;
    /** KEYS: catalog, version. Returns the version and the flat hash. */
    private static final String READ = """
            return {redis.call('GET', KEYS[2]) or '0', redis.call('HGETALL', KEYS[1])}
            """;

    private final Redis redis;
    private final String prefix;
    private final Duration timeout;

    public RedisCatalogStore(Redis redis, String prefix, Duration timeout) {
        this.redis = redis;
        this.prefix = prefix;
        this.timeout = timeout;
    }

    @Override
    public long put(String policy, Map<String, String> items) throws SnapshotStoreException {
        Request r = script(PUT, policy);
        items.forEach((id, features) -> r.arg(id).arg(features));
        return send(r, "add to the catalog of " + policy).toLong();
    }

    @Override
    public long remove(String policy, String id) throws SnapshotStoreException {
        return send(script(REMOVE, policy).arg(id), "remove from the catalog of " + policy).toLong();
    }

    @Override
    public long version(String policy) throws SnapshotStoreException {
        Response r = send(Request.cmd(Command.GET).arg(key(policy, "catalog-version")), "read the catalog of " + policy);
        return r == null ? 0 : r.toLong();
    }

    @Override
    public StoredCatalog read(String policy) throws SnapshotStoreException {
        Response r = send(script(READ, policy), "read the catalog of " + policy);
        Map<String, String> items = new HashMap<>();
        Response flat = r.get(1);
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            items.put(flat.get(i).toString(), flat.get(i + 1).toString());
        }
        return new StoredCatalog(Long.parseLong(r.get(0).toString()), items);
    }

    @Override
    public void delete(String policy) throws SnapshotStoreException {
        send(Request.cmd(Command.DEL).arg(key(policy, "catalog")).arg(key(policy, "catalog-version")),
                "delete the catalog of " + policy);
    }

    private Request script(String lua, String policy) {
        return Request.cmd(Command.EVAL).arg(lua).arg(2).arg(key(policy, "catalog")).arg(key(policy, "catalog-version"));
    }

    private String key(String name, String part) {
        return prefix + "{" + name + "}:" + part;
    }

    private Response send(Request request, String what) throws SnapshotStoreException {
        try {
            return redis.send(request).await().atMost(timeout);
        } catch (RuntimeException e) {
            throw new SnapshotStoreException("Redis: cannot " + what + ": " + e.getMessage(), e);
        }
    }
}
