package io.policyrec.snapshot;

import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Snapshots in Redis, shared by every instance, on one node or a Redis Cluster. Per policy (prefix
 * p, default "policyrec:"), every key carries the name as a hash tag, so that a policy's keys live
 * in one slot and each script touches one slot: {@code p{name}:blobs} the binary snapshots by
 * version, {@code p{name}:versions} a sorted set of the retained versions, {@code p{name}:info}
 * their metadata, {@code p{name}:latest} the pointer, {@code p{name}:incarnation},
 * {@code p{name}:chain} per version its checksum and the version of the whole snapshot it builds
 * on, {@code p{name}:deleted} the tombstone, {@code p{name}:rollback} the rollback marker (how many
 * rollbacks, and the version of the last). Across policies: {@code p policies}, the set of names,
 * and the channel {@code p announcements}. A save is one Lua script over the policy's keys, all
 * passed in KEYS (blob, pointer, retention and the announcement together), so readers never see
 * half a snapshot and a replica hears of a version only once it can be read. The name is added to
 * the set after every save, outside the script (another slot): a set that lost a name (a crash
 * between the two) gets it back at the next save, and a name listed without a snapshot reads as
 * absent. A hashed policy's
 * snapshot may be a delta of the one before ({@link SnapshotChain}); retention then keeps the
 * chain the oldest kept version builds on. {@link #migrate()} moves snapshots written in the layout
 * before hash tags (one key per version) into this one.
 */
public final class RedisSnapshotStore implements SnapshotStore {
    private static final Logger LOG = Logger.getLogger(RedisSnapshotStore.class);

    /**
     * Lua shared by SAVE and ROLLBACK (prepended to each): drops versions of a policy, each with its
     * blob, its place among the versions, its metadata and its chain entry (KEYS as for SAVE).
     */
    private static final String DROP_VERSIONS = """
            local function drop(versions)
              for _, v in ipairs(versions) do
                redis.call('HDEL', KEYS[1], v)
                redis.call('ZREM', KEYS[2], v)
                redis.call('HDEL', KEYS[3], v)
                redis.call('HDEL', KEYS[7], v)
              end
            end
            """;

    /**
     * KEYS: blobs, versions, info, latest, incarnation, deleted, chain, rollback.
     * ARGV: bytes, version, info, keep, announcement, incarnation, channel, mode, then the chain:
     * "crc root" of this snapshot, and the parent's version and "crc root" (-1 and '' when whole),
     * then the rollbacks the snapshot descends from ({@link StoredPolicy#rollbacks}).
     * Returns -1 when refused (replaced or deleted meanwhile), -3 when refused for being older than
     * a rollback, -2 when the parent a delta builds on is not held any more (the caller writes it
     * whole), else the versions held.
     *
     * <p>A learner's write is refused when its weights are older than a rollback of the same
     * incarnation: a snapshot taken before the learner applied a rollback made elsewhere can reach
     * the store after the rollback did (queued, or in flight). Kept, it became the latest: replicas
     * served the weights the rollback replaced until the learner's next write, and an instance that
     * started in between resumed from them for good (it read the rollback as heard).
     *
     * <p>A learner's write that finds no rollback marker, or one of its incarnation below its count,
     * while its count is not 0 (Redis lost its data, or failed over to a replica that lagged), writes
     * the marker back with that count and no version (-1), so that a rollback after it counts on
     * from there and learners tell it from the ones their weights hold already; and its version
     * becomes the latest, the versions after it dropped: written before the lost rollbacks, they
     * hold the weights those replaced.
     *
     * <p>Among the rest, a learner's write moves the latest pointer only forward. A learner whose
     * partition went to another instance may write for a while before it notices (a long pause, a
     * slow store), behind the new owner; had its older version become the latest, every replica
     * would read the step back as a rollback and serve older weights until the owner's next write.
     * Its write is still kept as its version (the same log gives the same weights). A replace, an
     * import and a rollback set the version they give. (Forward only is safe since the refusal
     * above: the weights a rollback replaced can no longer hold the pointer ahead of the learner's
     * writes after it.)
     */
    private static final String SAVE = DROP_VERSIONS + """
            local current = redis.call('GET', KEYS[5])
            local recount = false
            if ARGV[8] == 'learned' then
              if (current and current ~= ARGV[6]) or redis.call('GET', KEYS[6]) == ARGV[6] then return -1 end
              local marker = redis.call('GET', KEYS[8])
              local count, incarnation
              if marker then count, incarnation = string.match(marker, '^(%d+) %-?%d+ (%-?%d+)$') end
              if incarnation == ARGV[6] and tonumber(count) > tonumber(ARGV[12]) then return -3 end
              recount = tonumber(ARGV[12]) > 0
                  and (not marker or (incarnation == ARGV[6] and tonumber(count) < tonumber(ARGV[12])))
            else
              redis.call('DEL', KEYS[6])
              redis.call('PERSIST', KEYS[8])
            end
            if current and current ~= ARGV[6] then
              redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[7])
            end
            if ARGV[10] ~= '-1' and redis.call('HGET', KEYS[7], ARGV[10]) ~= ARGV[11] then return -2 end
            if recount then
              -- Redis lost the marker or rollbacks counted in it (its data, a failover to a replica
              -- that lagged): what it kept after them is from before them. Counting goes on from
              -- the writer's count (else the next rollback would count what learners descend from
              -- already, and look applied to them), and its version is the latest, the later ones
              -- dropped, as the lost rollback had dropped them.
              redis.call('SET', KEYS[8], ARGV[12] .. ' -1 ' .. ARGV[6])
              drop(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[2], '+inf'))
            end
            redis.call('HSET', KEYS[1], ARGV[2], ARGV[1])
            redis.call('ZADD', KEYS[2], ARGV[2], ARGV[2])
            redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
            redis.call('HSET', KEYS[7], ARGV[2], ARGV[9])
            local latest = redis.call('GET', KEYS[4])
            if recount or ARGV[8] ~= 'learned' or current ~= ARGV[6] or not latest
                or tonumber(latest) < tonumber(ARGV[2]) then
              redis.call('SET', KEYS[4], ARGV[2])
            end
            redis.call('SET', KEYS[5], ARGV[6])
            local n = redis.call('ZCARD', KEYS[2])
            local keep = tonumber(ARGV[4])
            if n > keep then
              -- Keep the newest versions and the chain the oldest of them builds on (from its root).
              local oldest = redis.call('ZRANGE', KEYS[2], n - keep, n - keep)[1]
              local chain = redis.call('HGET', KEYS[7], oldest)
              local root = chain and string.match(chain, ' (%d+)$') or oldest
              drop(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. root))
            end
            redis.call('PUBLISH', ARGV[7], ARGV[5])
            return n
            """;

    /**
     * KEYS: as for SAVE. ARGV: version, channel, the announcement after its kind, incarnation.
     * Returns 0 when the version is not retained, else the policy's rollback count, which the
     * rollback marker ("count version incarnation") and the announcement ("ROLLBACK/count ...")
     * carry: an instance that did not hear the announcement finds the rollback by the marker
     * ({@link #unheardRollbacks}).
     */
    private static final String ROLLBACK = DROP_VERSIONS + """
            if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
            redis.call('SET', KEYS[4], ARGV[1])
            drop(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[1], '+inf'))
            local marker = redis.call('GET', KEYS[8])
            local count = (marker and tonumber(string.match(marker, '^(%d+)')) or 0) + 1
            redis.call('SET', KEYS[8], count .. ' ' .. ARGV[1] .. ' ' .. ARGV[4])
            redis.call('PUBLISH', ARGV[2], 'ROLLBACK/' .. count .. ARGV[3])
            return count
            """;

    /**
     * KEYS: as for SAVE. ARGV: channel, announcement, seconds the tombstone is kept. The rollback
     * marker is kept as long as the tombstone (and for good once the name is created again: SAVE
     * persists it), so that a policy created again under the name goes on counting its rollbacks
     * from there (an instance compares counts, and a count starting over would hide a rollback).
     */
    private static final String DELETE = """
            local incarnation = redis.call('GET', KEYS[5])
            if incarnation then redis.call('SET', KEYS[6], incarnation, 'EX', ARGV[3]) end
            if redis.call('EXISTS', KEYS[8]) == 1 then redis.call('EXPIRE', KEYS[8], ARGV[3]) end
            redis.call('UNLINK', KEYS[1])
            redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[7])
            redis.call('PUBLISH', ARGV[1], ARGV[2])
            return 1
            """;

    private final SnapshotChain chain = new SnapshotChain();
    private final java.util.concurrent.atomic.LongAdder written = new java.util.concurrent.atomic.LongAdder();
    private final Redis redis;
    private final RedisDataSource dataSource;
    private final String prefix;
    private final int retain;
    private final Duration timeout;
    private volatile long lastFailure;
    private volatile long lastSuccess;
    /** Held while a rollback made here counts itself, and while the markers are read. */
    private final Object rollbackMarkers = new Object();
    /** Per policy, the rollback count this instance has heard (applied, made, or loaded). */
    private final java.util.concurrent.ConcurrentHashMap<String, Long> heardRollbacks =
            new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean subscribed;
    private volatile int subscription;
    private io.quarkus.redis.datasource.pubsub.PubSubCommands.RedisSubscriber subscriber;
    private int failedSubscriptions;

    public RedisSnapshotStore(Redis redis, RedisDataSource dataSource, String prefix, int retain, Duration timeout) {
        this.redis = redis;
        this.dataSource = dataSource;
        this.prefix = prefix;
        this.retain = Math.max(1, retain);
        this.timeout = timeout;
    }

    public String channel() {
        return prefix + "announcements";
    }

    /** A key of the policy's, in the slot of its hash tag. */
    private String key(String name, String part) {
        return prefix + "{" + name + "}:" + part;
    }

    /**
     * The policy's keys in the order the scripts take them: blobs, versions, info, latest,
     * incarnation, deleted, chain, rollback.
     */
    private Request withKeys(String script, String name) {
        Request r = Request.cmd(Command.EVAL).arg(script).arg(8);
        for (String part : new String[] {"blobs", "versions", "info", "latest", "incarnation", "deleted", "chain",
            "rollback"}) {
            r.arg(key(name, part));
        }
        return r;
    }

    /** How long a deleted incarnation stays refused: far longer than any write can be late. */
    private static final long DELETED_MEMORY_SECONDS = 7 * 24 * 3600;

    @Override
    public void save(StoredPolicy s) throws SnapshotStoreException {
        save(s, "replace");
    }

    @Override
    public boolean saveLearned(StoredPolicy s) throws SnapshotStoreException {
        return save(s, "learned");
    }

    private boolean save(StoredPolicy s, String mode) throws SnapshotStoreException {
        SnapshotChain.Encoded encoded = chain.encode(s);
        long n = save(s, mode, encoded);
        if (n == -2) {
            // The parent the delta builds on is gone (a rollback, or another writer): write it whole.
            encoded = chain.whole(s);
            n = save(s, mode, encoded);
        }
        if (n == -3) {
            // Older than a rollback: if this instance counts that rollback as heard, its learner may
            // have missed it (or applied it without its count) and would be refused from now on.
            // Counted as unheard again, the follower's next poll has the learner go on from the
            // latest snapshot, or take the count if its weights hold the rollback already
            // (PolicyHost.rollBackUnheard).
            heardRollbacks.merge(s.name(), s.rollbacks(), Math::min);
        }
        if (n < 0) {
            chain.forget(s.name());
            return false;
        }
        chain.written(s, encoded);
        return true;
    }

    private long save(StoredPolicy s, String mode, SnapshotChain.Encoded e) throws SnapshotStoreException {
        String info = s.savedAt() + " " + s.updates() + " " + (Double.isNaN(s.meanEntropy()) ? "NaN"
                : String.format(Locale.ROOT, "%.6f", s.meanEntropy())) + " " + s.incarnation();
        String announcement = new Announcement(s.name(), s.version(), s.incarnation(), Announcement.Kind.SAVED)
                .encode();
        Response n = send(withKeys(SAVE, s.name())
                .arg(Buffer.buffer(e.bytes())).arg(Long.toString(s.version())).arg(info)
                .arg(Integer.toString(retain)).arg(announcement).arg(Long.toString(s.incarnation()))
                .arg(channel()).arg(mode)
                .arg(e.crc() + " " + e.root()).arg(Long.toString(e.parent()))
                .arg(e.delta() ? e.parentCrc() + " " + e.root() : "").arg(Long.toString(s.rollbacks())),
                "save " + s.name());
        written.add(e.bytes().length);
        long held = n == null ? 0 : n.toLong();
        if (held >= 0) {
            list(s.name());
        }
        return held;
    }

    /**
     * Lists a saved policy (another slot than its keys, so not in the script). The snapshot is saved
     * already: a failure here is logged, and the next save lists it.
     */
    private void list(String name) {
        try {
            send(Request.cmd(Command.SADD).arg(prefix + "policies").arg(name), "list " + name);
        } catch (SnapshotStoreException e) {
            LOG.warnf("Saved %s but could not list it (the next save will): %s", name, e.getMessage());
        }
    }

    @Override
    public long bytesWritten() {
        return written.sum();
    }

    /**
     * Moves the snapshots of every listed policy from the layout before hash tags ({@code p<name>:v:<version>}
     * per version, {@code p<name>:latest} and so on) into this one, then removes the old keys. Idempotent,
     * and safe to repeat after a crash half-way: the new pointer is written last, and a policy whose new
     * pointer exists only loses its old keys. Runs before the first {@link #loadAll}; a deployment upgrades
     * all its instances together (an old instance would go on writing the old layout).
     */
    public void migrate() throws SnapshotStoreException {
        for (String name : names()) {
            String old = prefix + name + ":";
            Response latest = send(Request.cmd(Command.GET).arg(old + "latest"), "read " + name);
            if (latest == null) {
                continue;
            }
            List<String> versions = new ArrayList<>();
            send(Request.cmd(Command.ZRANGE).arg(old + "versions").arg(0).arg(-1), "list " + name)
                    .forEach(v -> versions.add(v.toString()));
            if (send(Request.cmd(Command.GET).arg(key(name, "latest")), "read " + name) == null) {
                for (String v : versions) {
                    Response blob = send(Request.cmd(Command.GET).arg(old + "v:" + v), "read " + name);
                    if (blob != null) {
                        send(Request.cmd(Command.HSET).arg(key(name, "blobs")).arg(v).arg(blob.toBuffer()), "move " + name);
                        send(Request.cmd(Command.ZADD).arg(key(name, "versions")).arg(v).arg(v), "move " + name);
                    }
                }
                for (String part : new String[] {"info", "chain"}) {
                    Response fields = send(Request.cmd(Command.HGETALL).arg(old + part), "read " + name);
                    for (String field : fields == null ? java.util.Set.<String>of() : fields.getKeys()) {
                        send(Request.cmd(Command.HSET).arg(key(name, part)).arg(field).arg(fields.get(field).toString()),
                                "move " + name);
                    }
                }
                Response incarnation = send(Request.cmd(Command.GET).arg(old + "incarnation"), "read " + name);
                // NX: an instance that moved them first may have saved a newer version since.
                if (incarnation != null) {
                    send(Request.cmd(Command.SET).arg(key(name, "incarnation")).arg(incarnation.toString()).arg("NX"),
                            "move " + name);
                }
                send(Request.cmd(Command.SET).arg(key(name, "latest")).arg(latest.toString()).arg("NX"), "move " + name);
                LOG.infof("Moved %d snapshots of %s to the hash-tagged key layout", versions.size(), name);
            }
            Request del = Request.cmd(Command.DEL);
            versions.forEach(v -> del.arg(old + "v:" + v));
            for (String part : new String[] {"versions", "info", "chain", "incarnation", "latest"}) {
                del.arg(old + part);
            }
            send(del, "remove the old keys of " + name);
        }
    }

    private volatile boolean migrated;

    @Override
    public List<StoredPolicy> loadAll(boolean skipUnreadable) throws SnapshotStoreException {
        if (!migrated) {
            migrate();
            migrated = true;
        }
        List<StoredPolicy> all = new ArrayList<>();
        for (String name : names()) {
            try {
                latest(name).ifPresent(all::add);
            } catch (SnapshotStoreException e) {
                if (!skipUnreadable && !(e instanceof UnreadableSnapshotException)) {
                    throw e;
                }
                LOG.errorf("Skipping unreadable snapshot of %s: %s", name, e.getMessage());
            }
        }
        return all;
    }

    /**
     * The latest snapshot. It holds every rollback counted before it was read, so the count read
     * first is taken as heard here: an instance that starts (or takes a policy over) from it does
     * not roll back again what it loaded rolled back already; and the snapshot carries that count
     * ({@link StoredPolicy#rollbacks}), which a learner restored from it gives its own writes.
     */
    @Override
    public Optional<StoredPolicy> latest(String name) throws SnapshotStoreException {
        for (int attempt = 0; attempt < 3; attempt++) {
            long rollbacks = marker(send(Request.cmd(Command.GET).arg(key(name, "rollback")), "read " + name))
                    .rollbacks();
            Response pointer = send(Request.cmd(Command.GET).arg(key(name, "latest")), "read " + name);
            if (pointer == null) {
                return Optional.empty();
            }
            Optional<StoredPolicy> s = version(name, pointer.toLong());
            if (s.isPresent()) {
                heardRollback(name, rollbacks);
                return Optional.of(s.get().withRollbacks(rollbacks));
            }
            // Retention removed that version between the two reads: read the pointer again.
        }
        throw new SnapshotStoreException("the latest snapshot of " + name + " keeps moving");
    }

    @Override
    public Optional<StoredPolicy> version(String name, long version) throws SnapshotStoreException {
        Optional<byte[]> blob = blob(name, version);
        try {
            return blob.isEmpty() ? Optional.empty() : Optional.of(chain.decode(blob.get(), this::blob));
        } catch (SnapshotChain.ParentGone e) {
            // Removed while read (a rollback on another instance): as if the version were gone, so that
            // latest() reads the pointer again.
            return Optional.empty();
        }
    }

    /** A retained version whole: a delta is laid over its parents and written out whole, to import anywhere. */
    @Override
    public Optional<byte[]> raw(String name, long version) throws SnapshotStoreException {
        Optional<byte[]> blob = blob(name, version);
        if (blob.isEmpty() || !SnapshotCodec.header(blob.get()).delta()) {
            return blob;
        }
        return Optional.of(SnapshotCodec.encode(chain.decode(blob.get(), this::blob)));
    }

    /** A retained version as stored: whole, or a delta of an earlier one. */
    private Optional<byte[]> blob(String name, long version) throws SnapshotStoreException {
        Response blob = send(Request.cmd(Command.HGET).arg(key(name, "blobs")).arg(Long.toString(version)),
                "read " + name);
        return blob == null ? Optional.empty() : Optional.of(blob.toBytes());
    }

    @Override
    public List<SnapshotInfo> versions(String name) throws SnapshotStoreException {
        List<SnapshotInfo> out = new ArrayList<>();
        Response all = send(Request.cmd(Command.HGETALL).arg(key(name, "info")), "list " + name);
        if (all == null) {
            return out;
        }
        for (String version : all.getKeys()) {
            String[] f = all.get(version).toString().split(" ");
            out.add(new SnapshotInfo(Long.parseLong(version), Long.parseLong(f[0]), Long.parseLong(f[1]),
                    Double.parseDouble(f[2]), Long.parseLong(f[3])));
        }
        out.sort(Comparator.comparingLong(SnapshotInfo::version).reversed());
        return out;
    }

    @Override
    public Optional<StoredPolicy> rollback(String name, long version) throws SnapshotStoreException {
        Optional<StoredPolicy> target = version(name, version);
        if (target.isEmpty()) {
            return Optional.empty();
        }
        StoredPolicy s = target.get();
        chain.forget(name);
        String announcement = new Announcement(name, version, s.incarnation(), Announcement.Kind.ROLLBACK).encode();
        // Under the lock the poll reads markers under: it must not see this count before it is heard.
        synchronized (rollbackMarkers) {
            Response done = send(withKeys(ROLLBACK, name).arg(Long.toString(version)).arg(channel())
                    .arg(announcement.substring(Announcement.Kind.ROLLBACK.name().length()))
                    .arg(Long.toString(s.incarnation())), "roll back " + name);
            long count = done == null ? 0 : done.toLong();
            if (count == 0) {
                return Optional.empty();
            }
            heardRollback(name, count);
            return Optional.of(s.withRollbacks(count));
        }
    }

    @Override
    public void delete(String name) throws SnapshotStoreException {
        chain.forget(name);
        String announcement = new Announcement(name, -1, 0, Announcement.Kind.DELETED).encode();
        send(withKeys(DELETE, name).arg(channel()).arg(announcement).arg(Long.toString(DELETED_MEMORY_SECONDS)),
                "delete " + name);
        send(Request.cmd(Command.SREM).arg(prefix + "policies").arg(name), "unlist " + name);
        // Created again between the script and the SREM (on another instance): listed again.
        if (send(Request.cmd(Command.EXISTS).arg(key(name, "latest")), "read " + name).toInteger() == 1) {
            list(name);
        }
    }

    /**
     * Subscribes (again) to the announcements. Each subscription has its own generation: the end of
     * an earlier one (its connection closing late) does not mark a later one lost, and the earlier
     * one is closed first, so that nothing is heard twice.
     */
    @Override
    public synchronized void subscribe(Consumer<Announcement> listener) {
        int generation = ++subscription;
        subscribed = true;
        if (subscriber != null) {
            try {
                subscriber.unsubscribe();
            } catch (RuntimeException e) {
                LOG.debugf("Closing the earlier subscription: %s", e.toString());
            }
            subscriber = null;
        }
        try {
            subscriber = dataSource.pubsub(String.class).subscribe(channel(), message -> {
                try {
                    listener.accept(Announcement.decode(message));
                } catch (RuntimeException e) {
                    LOG.warnf("Ignoring announcement '%s': %s", message, e.toString());
                }
            }, () -> lostSubscription(generation, null), e -> lostSubscription(generation, e));
            failedSubscriptions = 0;
        } catch (RuntimeException e) {
            // Redis away: the follower's polling keeps replicas current meanwhile, and subscribes again.
            subscribed = false;
            if (failedSubscriptions++ == 0) {
                LOG.warnf("Cannot subscribe to %s now (the follower will try again): %s", channel(), e.toString());
            }
        }
    }

    private void lostSubscription(int generation, Throwable cause) {
        if (generation == subscription && subscribed) {
            subscribed = false;
            LOG.warnf("Not subscribed to %s (until the follower subscribes again): %s", channel(),
                    cause == null ? "the connection ended" : cause.toString());
        }
    }

    @Override
    public boolean subscribed() {
        return subscribed;
    }

    @Override
    public void heardRollback(String name, long rollbacks) {
        heardRollbacks.merge(name, rollbacks, Math::max);
    }

    /**
     * Rollbacks counted in a policy's marker past the count heard here (announced and applied,
     * made here, or loaded with the latest snapshot), as announcements: each is reported at every
     * call until {@link #heardRollback} takes it. A policy not read here yet is taken as heard (what
     * this instance serves of it came from the store after its rollbacks); a count below the one
     * heard means Redis lost its data and counts again, and is taken as heard too.
     */
    @Override
    public List<Announcement> unheardRollbacks() throws SnapshotStoreException {
        List<Announcement> out = new ArrayList<>();
        List<String> names = names();
        // Under the lock a rollback made here counts itself under: the markers and the counts heard
        // are compared as of one moment for those (an announced one may still land in between; the
        // learning thread then finds it applied already).
        synchronized (rollbackMarkers) {
            List<Response> markers = getAll(names, "rollback", "read rollback markers");
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                Announcement m = marker(markers.get(i));
                Long heard = heardRollbacks.putIfAbsent(name, m.rollbacks());
                if (heard != null && m.rollbacks() < heard) {
                    heardRollbacks.replace(name, heard, m.rollbacks());
                } else if (heard != null && m.rollbacks() > heard) {
                    out.add(new Announcement(name, m.version(), m.incarnation(), Announcement.Kind.ROLLBACK,
                            m.rollbacks()));
                }
            }
        }
        return out;
    }

    /** A rollback marker ("count version incarnation") as the rollback it counts last; none counts 0. */
    private static Announcement marker(Response m) {
        String[] f = m == null ? new String[] {"0", "-1", "0"} : m.toString().split(" ");
        return new Announcement("", Long.parseLong(f[1]), f.length > 2 ? Long.parseLong(f[2]) : 0,
                Announcement.Kind.ROLLBACK, Long.parseLong(f[0]));
    }

    /**
     * True when this incarnation of the policy was deleted (its tombstone is there), as opposed to
     * merely absent: a Redis restarted without its data, flushed, or failed over to an empty replica
     * has lost policies, not deleted them.
     */
    @Override
    public boolean deleted(String name, long incarnation) throws SnapshotStoreException {
        Response tombstone = send(Request.cmd(Command.GET).arg(key(name, "deleted")), "read tombstone of " + name);
        return tombstone != null && tombstone.toString().equals(Long.toString(incarnation));
    }

    /** The latest version of every policy by name, in one round trip per policy list (for polling). */
    @Override
    public java.util.Map<String, Long> latestVersions() throws SnapshotStoreException {
        java.util.Map<String, Long> out = new java.util.HashMap<>();
        List<String> names = names();
        List<Response> versions = getAll(names, "latest", "read pointers");
        for (int i = 0; i < names.size(); i++) {
            Response v = versions.get(i);
            if (v != null) {
                out.put(names.get(i), v.toLong());
            }
        }
        return out;
    }

    private List<String> names() throws SnapshotStoreException {
        Response names = send(Request.cmd(Command.SMEMBERS).arg(prefix + "policies"), "list policies");
        List<String> list = new ArrayList<>();
        if (names != null) {
            names.forEach(n -> list.add(n.toString()));
        }
        return list;
    }

    /**
     * One key of each policy, in the order of the names. One GET per name, all sent at once: an MGET
     * across a cluster's slots comes back out of order with this client (vertx-redis-client 4.x
     * splits it by node without keeping the key order).
     */
    private List<Response> getAll(List<String> names, String part, String what) throws SnapshotStoreException {
        if (names.isEmpty()) {
            return List.of();
        }
        List<io.smallrye.mutiny.Uni<Response>> reads = new ArrayList<>();
        names.forEach(n -> reads.add(redis.send(Request.cmd(Command.GET).arg(key(n, part)))));
        try {
            List<Response> out = io.smallrye.mutiny.Uni.join().all(reads).andFailFast().await().atMost(timeout);
            lastSuccess = System.currentTimeMillis();
            return out;
        } catch (RuntimeException e) {
            lastFailure = System.currentTimeMillis();
            throw new SnapshotStoreException("Redis: cannot " + what + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String kind() {
        return "redis";
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public boolean available() {
        return lastSuccess >= lastFailure;
    }

    private Response send(Request request, String what) throws SnapshotStoreException {
        try {
            Response r = redis.send(request).await().atMost(timeout);
            lastSuccess = System.currentTimeMillis();
            return r;
        } catch (RuntimeException e) {
            lastFailure = System.currentTimeMillis();
            throw new SnapshotStoreException("Redis: cannot " + what + ": " + e.getMessage(), e);
        }
    }
}
