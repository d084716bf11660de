package io.policyrec.feedback;

import io.policyrec.background.Background;
import io.policyrec.background.Worker;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.policy.PolicySnapshot;
import io.policyrec.snapshot.Announcement;
import io.policyrec.snapshot.SnapshotStore;
import io.policyrec.snapshot.SnapshotStoreException;
import io.policyrec.snapshot.StoredPolicy;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Keeps this instance's policies current with a shared store: a snapshot another instance
 * published is served here as soon as its announcement arrives (Redis pub/sub), and a poll of the
 * latest pointers catches whatever an announcement missed (a dropped connection, a restart). It
 * decides what changed; the {@link PolicyHost} applies it, on the learning thread.
 */
public final class SnapshotFollower implements Background {
    private static final Logger LOG = Logger.getLogger(SnapshotFollower.class);
    private final SnapshotStore store;
    private final PolicyRegistry registry;
    private final PolicyHost host;
    private final Duration pollInterval;
    // Announcements arrive on a Redis event-loop thread, which must not block: they are read here.
    private final BlockingQueue<Announcement> announcements = new ArrayBlockingQueue<>(10_000);
    private final io.micrometer.core.instrument.Counter polls;
    private Worker reader;
    private Worker poller;

    public SnapshotFollower(SnapshotStore store, PolicyRegistry registry, PolicyHost host, Duration pollInterval,
                            io.micrometer.core.instrument.MeterRegistry meters) {
        this.polls = io.micrometer.core.instrument.Counter.builder("policyrec_snapshot_follower_polls_total")
                .description("Polls of the store's latest versions that completed (what a replica has checked)")
                .register(meters);
        this.store = store;
        this.registry = registry;
        this.host = host;
        this.pollInterval = pollInterval;
    }

    @Override
    public void start() {
        reader = Worker.start("policyrec-snapshot-announcements", w -> {
            while (w.running()) {
                Announcement a = announcements.poll(100, TimeUnit.MILLISECONDS);
                if (a != null) {
                    announced(a);
                }
            }
        });
        // A full queue loses nothing for long: the poll finds what the dropped announcement said.
        store.subscribe(announcements::offer);
        poller = Worker.every("policyrec-snapshot-follower", pollInterval, this::poll);
    }

    synchronized void announced(Announcement a) {
        try {
            PolicySnapshot current = registry.get(a.name());
            if (a.kind() == Announcement.Kind.DELETED) {
                // Decided on the learning thread: a change queued before this one may not be served yet.
                host.followedDeletion(a.name(), a.incarnation() == 0 ? OptionalLong.empty()
                        : OptionalLong.of(a.incarnation()));
                return;
            }
            boolean sameIncarnation = current != null && current.incarnation() == a.incarnation();
            if (a.kind() == Announcement.Kind.SAVED && sameIncarnation
                    && (current.version() >= a.version() || host.learns(a.name()))) {
                return;
            }
            // A rollback names its version: the latest may already be a snapshot saved after it.
            Optional<StoredPolicy> latest = a.kind() == Announcement.Kind.ROLLBACK ? store.version(a.name(), a.version())
                    : store.latest(a.name());
            if (latest.isPresent() && latest.get().incarnation() == a.incarnation()) {
                // A learner that applies the rollback descends from it: its snapshots carry the count.
                host.followed(a.rollbacks() > 0 ? latest.get().withRollbacks(a.rollbacks()) : latest.get(), a.kind());
            }
            if (a.rollbacks() > 0) {
                // Only now: a rollback whose announcement was dropped or could not be followed stays
                // unheard, and the poll finds it by the policy's rollback marker.
                store.heardRollback(a.name(), a.rollbacks());
            }
        } catch (SnapshotStoreException | RuntimeException e) {
            LOG.debugf("Cannot follow %s now: %s", a, e.toString());
        }
    }

    private void poll() {
        try {
            if (!store.subscribed()) {
                store.subscribe(announcements::offer);
            }
            for (Announcement rollback : store.unheardRollbacks()) {
                if (host.learns(rollback.name())) {
                    rollBackAgain(rollback);
                } else {
                    // Served here only: the poll of the latest versions below serves the rolled-back one.
                    store.heardRollback(rollback.name(), rollback.rollbacks());
                }
            }
            Map<String, Long> latest = store.latestVersions();
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
                        // With the count latest() read: a learner that applies it descends from it.
                        announced(new Announcement(e.getKey(), s.get().version(), s.get().incarnation(), kind,
                                kind == Announcement.Kind.ROLLBACK ? s.get().rollbacks() : 0));
                    }
                }
            }
            for (String name : gone) {
                PolicySnapshot current = registry.get(name);
                // Only a tombstone means deleted: absence alone may be a Redis that lost its data,
                // and every instance would then drop every policy it serves.
                if (current != null && store.deleted(name, current.incarnation())) {
                    announced(new Announcement(name, -1, current.incarnation(), Announcement.Kind.DELETED));
                }
            }
            polls.increment();
        } catch (SnapshotStoreException e) {
            LOG.debugf("Snapshot poll failed: %s", e.toString());
        }
    }

    /** A rollback of a policy learned here whose announcement this instance did not hear (or not yet). */
    private void rollBackAgain(Announcement rollback) {
        host.rollBackUnheard(rollback).whenComplete((rolledBack, failure) -> {
            if (failure != null) {
                LOG.warnf("Cannot apply the rollback of %s to version %d now (the next poll tries again): %s",
                        rollback.name(), rollback.version(), failure.toString());
            } else if (rolledBack) {
                LOG.warnf("Did not hear the rollback of %s to version %d (the subscription was down): learning "
                        + "goes on from its latest snapshot", rollback.name(), rollback.version());
            }
        });
    }

    @Override
    public void close() {
        if (poller != null) {
            poller.stop();
        }
        if (reader != null) {
            reader.stop();
        }
    }
}
