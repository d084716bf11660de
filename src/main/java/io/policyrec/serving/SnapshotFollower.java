package io.policyrec.serving;

import io.policyrec.feedback.PolicyHost;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.policy.PolicySnapshot;
import io.policyrec.snapshot.Announcement;
import io.policyrec.snapshot.RedisSnapshotStore;
import io.policyrec.snapshot.SnapshotStore;
import io.policyrec.snapshot.SnapshotStoreException;
import io.policyrec.snapshot.StoredPolicy;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Keeps this instance's policies current with the shared store: a snapshot another instance
 * published is served here as soon as its announcement arrives (Redis pub/sub), and a poll of the
 * latest pointers catches whatever an announcement missed (a dropped connection, a restart).
 */
final class SnapshotFollower implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SnapshotFollower.class);
    private final SnapshotStore store;
    private final PolicyRegistry registry;
    private final PolicyHost host;
    private final Duration pollInterval;
    private final Thread poller;
    // Announcements arrive on a Redis event-loop thread, which must not block: reading the snapshot happens here.
    private final java.util.concurrent.ExecutorService worker = java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> {
                Thread t = new Thread(r, "policyrec-snapshot-announcements");
                t.setDaemon(true);
                return t;
            });
    private volatile boolean running = true;

    SnapshotFollower(SnapshotStore store, PolicyRegistry registry, PolicyHost host, Duration pollInterval) {
        this.store = store;
        this.registry = registry;
        this.host = host;
        this.pollInterval = pollInterval;
        this.poller = new Thread(this::poll, "policyrec-snapshot-follower");
        this.poller.setDaemon(true);
    }

    void start() {
        store.subscribe(a -> worker.execute(() -> announced(a)));
        poller.start();
    }

    synchronized void announced(Announcement a) {
        try {
            PolicySnapshot current = registry.get(a.name());
            if (a.kind() == Announcement.Kind.DELETED) {
                if (current != null) {
                    registry.remove(a.name());
                    host.followed(new StoredPolicy(a.name(), current.incarnation(), current.config(), 0, 0, 0, 0,
                            null, Map.of(), io.policyrec.snapshot.JoinState.EMPTY), a.kind());
                }
                return;
            }
            boolean sameIncarnation = current != null && current.incarnation() == a.incarnation();
            if (a.kind() == Announcement.Kind.SAVED && sameIncarnation
                    && (current.version() >= a.version() || host.learns(a.name()))) {
                return;
            }
            // A rollback names its version: the latest may already be a snapshot saved after it.
            Optional<StoredPolicy> latest = a.kind() == Announcement.Kind.ROLLBACK ? version(a) : store.latest(a.name());
            if (latest.isEmpty() || latest.get().incarnation() != a.incarnation()) {
                return;
            }
            StoredPolicy s = latest.get();
            host.followed(s, a.kind());
            if (!host.learns(a.name()) || !sameIncarnation || a.kind() == Announcement.Kind.ROLLBACK) {
                registry.put(PolicyService.toServe(s));
            }
        } catch (SnapshotStoreException | RuntimeException e) {
            LOG.debugf("Cannot follow %s now: %s", a, e.toString());
        }
    }

    private Optional<StoredPolicy> version(Announcement a) throws SnapshotStoreException {
        Optional<byte[]> raw = store.raw(a.name(), a.version());
        return raw.isEmpty() ? Optional.empty() : Optional.of(io.policyrec.snapshot.SnapshotCodec.decode(raw.get()));
    }

    private void poll() {
        while (running) {
            try {
                Thread.sleep(pollInterval.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            if (!(store instanceof RedisSnapshotStore redis)) {
                continue;
            }
            try {
                Map<String, Long> latest = redis.latestVersions();
                Set<String> gone = new HashSet<>();
                for (PolicySnapshot p : registry.all()) {
                    if (!latest.containsKey(p.name())) {
                        gone.add(p.name());
                    }
                }
                for (Map.Entry<String, Long> e : latest.entrySet()) {
                    PolicySnapshot current = registry.get(e.getKey());
                    if (current == null || (current.version() != e.getValue() && !host.learns(e.getKey()))) {
                        Optional<StoredPolicy> s = store.latest(e.getKey());
                        if (s.isPresent()) {
                            Announcement.Kind kind = current != null && current.incarnation() == s.get().incarnation()
                                    && s.get().version() < current.version() ? Announcement.Kind.ROLLBACK
                                    : Announcement.Kind.SAVED;
                            announced(new Announcement(e.getKey(), s.get().version(), s.get().incarnation(), kind));
                        }
                    }
                }
                for (String name : gone) {
                    PolicySnapshot current = registry.get(name);
                    // Only a tombstone means deleted: absence alone may be a Redis that lost its data,
                    // and every instance would then drop every policy it serves.
                    if (current != null && redis.deleted(name, current.incarnation())) {
                        announced(new Announcement(name, -1, current.incarnation(), Announcement.Kind.DELETED));
                    }
                }
            } catch (SnapshotStoreException | RuntimeException e) {
                LOG.debugf("Snapshot poll failed: %s", e.toString());
            }
        }
    }

    @Override
    public void close() {
        running = false;
        poller.interrupt();
        worker.shutdownNow();
    }
}
