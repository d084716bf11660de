package io.policyrec.feedback;

import io.micrometer.core.instrument.MeterRegistry;
import io.policyrec.background.Worker;
import io.policyrec.learning.Learner;
import io.policyrec.metrics.LearningObserver;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.policy.PolicySnapshot;
import io.policyrec.snapshot.Announcement;
import io.policyrec.snapshot.SnapshotPublisher;
import io.policyrec.snapshot.SnapshotStore;
import io.policyrec.snapshot.StoredPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;

/**
 * What learns the policies of this instance, and the one owner of a policy's lifecycle: create,
 * restore from a stored snapshot, learn and publish, save, follow what other instances publish,
 * roll back, delete. Every change runs on the learning thread between records, so it never races
 * with learning, and what is served is written here once per event, incarnation-checked.
 *
 * <p>The embedded loop and the Kafka learner extend this and differ only in where a policy's
 * learning lives (one map, or the partitions Kafka assigned) and in the loop that feeds it.
 */
public abstract class PolicyHost implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PolicyHost.class);
    protected final PolicyRegistry registry;
    protected final SnapshotStore store;
    protected final SnapshotPublisher publisher;
    protected final LearningObserver observer;
    protected final Clock clock;
    protected final JoinMetrics metrics;
    private final ControlQueue control = new ControlQueue(this::learningThreadRunning);
    private volatile Worker loop;
    private volatile Error failure;

    protected PolicyHost(PolicyRegistry registry, SnapshotStore store, SnapshotPublisher publisher,
                         MeterRegistry meters, LearningObserver observer, Clock clock) {
        this.registry = registry;
        this.store = store;
        this.publisher = publisher;
        this.observer = observer;
        this.clock = clock;
        this.metrics = new JoinMetrics(meters);
    }

    // ---- Where learning lives: the one thing the embedded loop and the Kafka learner do differently.

    /** This instance's learning of a policy, or null (learning thread). */
    protected abstract PolicyLearning learning(String name);

    /** Learns a policy here from now on, in place of any earlier learning of it (learning thread). */
    protected abstract void place(PolicyLearning learning);

    /** Stops learning a policy here (learning thread). */
    protected abstract void remove(String name);

    /** Whether a policy of this name would be learned here (its decisions come to this instance). */
    protected abstract boolean takes(String name);

    /** Whether this instance learns the policy now (else it only serves snapshots others publish). */
    public abstract boolean learns(String name);

    /** Starts learning: the subclass's loop, through {@link #startLoop}. */
    public abstract void start();

    /**
     * Runs the learning loop on its own thread, at the given nice value (it yields the CPU to
     * requests); wake ends a blocking call of the loop when stopping.
     * If the loop dies of an Error (out of memory or worse), readiness says so and admin work runs on
     * its callers' threads from then on instead of waiting for this one forever.
     */
    protected final void startLoop(String name, int nice, Worker.Body body, Runnable wake) {
        loop = Worker.startYielding(name, nice, w -> {
            try {
                body.run(w);
            } catch (Error e) {
                failure = e;
                runAdminWork();
                LOG.error("Learning stopped", e);
                throw e;
            }
        }).onStop(wake);
    }

    /** Whether the learning thread runs (else admin work runs at once on its caller's thread). */
    protected final boolean learningThreadRunning() {
        Worker w = loop;
        return w != null && w.running() && failure == null;
    }

    /** Snapshots to write once the loop has stopped (the loop may have written its own on the way out). */
    protected void saveAtClose(long now) {
    }

    /** Stops the learning loop, runs the admin work still queued, and writes the final snapshots. */
    @Override
    public final void close() {
        Worker w = loop;
        if (w != null) {
            w.stop();
        }
        runAdminWork();
        saveAtClose(clock.millis());
        if (!publisher.flush(Duration.ofSeconds(10))) {
            LOG.warn("Some final snapshots could not be written");
        }
    }

    /** A line for the readiness check: "ok", or what is degraded. */
    public String health() {
        Error e = failure;
        return e == null ? "ok" : "learning stopped after " + e;
    }

    /** Runs the admin work queued for the learning thread; the loops call it between records. */
    protected final void runAdminWork() {
        control.runPending();
    }

    // ---- The lifecycle.

    /** Creates (or replaces) a policy with fresh weights; completes with what is served. */
    public CompletableFuture<PolicySnapshot> create(String name, PolicyConfig config) {
        Learner learner = Learner.create(config);
        long now = clock.millis();
        PolicySnapshot served = learner.served(name, ThreadLocalRandom.current().nextLong(), config, now);
        PolicyLearning l = PolicyLearning.created(name, served.incarnation(), config, now, learner, now, observer);
        return control.submit(() -> {
            adopt(l, served, true);
            return served;
        });
    }

    /**
     * Serves and learns a policy from a stored snapshot: at start-up (persist false: it came from
     * the store), or an import (persist true: a new incarnation). The learner is restored here, on
     * the caller's thread, so that a snapshot that does not fit its config fails the call at once.
     *
     * @throws IllegalArgumentException when the snapshot's state does not fit its config
     */
    public CompletableFuture<PolicySnapshot> restore(StoredPolicy stored, boolean persist) {
        PolicyLearning l = PolicyLearning.restored(stored, clock.millis(), observer);
        PolicySnapshot served = stored.served();
        return control.submit(() -> {
            adopt(l, served, persist);
            return served;
        });
    }

    private void adopt(PolicyLearning l, PolicySnapshot served, boolean persist) throws Exception {
        long now = clock.millis();
        publisher.cancel(l.name);
        if (persist) {
            store.save(l.stored(now, Map.of(), List.of()));
        }
        registry.put(served);
        place(l);
    }

    /** Stops serving and learning a policy and deletes its snapshots; completes with whether it existed. */
    public CompletableFuture<Boolean> forget(String name) {
        return control.submit(() -> {
            boolean learned = learning(name) != null;
            remove(name);
            boolean served = registry.remove(name) != null;
            publisher.cancel(name);
            store.delete(name);
            return served || learned;
        });
    }

    /**
     * Makes a retained version the latest, on the learning thread: no snapshot of the weights it
     * replaces can be written after it. Completes with what is served now, or empty if the version
     * is not retained.
     */
    public CompletableFuture<Optional<PolicySnapshot>> rollback(String name, long version) {
        return control.submit(() -> rollBack(name, version));
    }

    private Optional<PolicySnapshot> rollBack(String name, long version) throws Exception {
        publisher.cancel(name);
        Optional<StoredPolicy> s = store.rollback(name, version);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        PolicyLearning l = learning(name);
        PolicySnapshot served;
        if (l != null && l.incarnation == s.get().incarnation()) {
            l.rollBackTo(s.get(), clock.millis());
            served = l.snapshot();
        } else {
            served = s.get().served();
        }
        registry.publish(served);
        return Optional.of(served);
    }

    /**
     * A rollback made elsewhere that this instance did not hear announced (its subscription was
     * down), of a policy it learns: learning went on from the weights the rollback replaced, but
     * none of that reached the store after the rollback (a learned write whose rollback count is
     * below the policy's is refused), so the learner goes on from the store's latest, which holds
     * the rollback and whatever was learned from it since. The rollback is not made again: that
     * would drop what another learner of the policy (one handing its partition over) saved after
     * it, and each would go on undoing the other's. Nothing is done when it does not apply here (not
     * learned here, another incarnation) or is in the weights already (its announcement came after
     * all, or this instance made it): the store then takes it as heard. Completes with whether the
     * learner's weights were replaced.
     */
    public CompletableFuture<Boolean> rollBackUnheard(Announcement rollback) {
        return control.submit(() -> {
            String name = rollback.name();
            PolicyLearning l = learning(name);
            if (l == null || l.incarnation != rollback.incarnation()) {
                store.heardRollback(name, rollback.rollbacks());
                return false;
            }
            if (l.alreadyRolledBack(rollback.version(), rollback.rollbacks(), clock.millis())) {
                // Applied already, perhaps as found by a poll without its count: its snapshots carry it now.
                l.descendsFrom(rollback.rollbacks());
                store.heardRollback(name, rollback.rollbacks());
                return false;
            }
            Optional<StoredPolicy> latest = store.latest(name);
            store.heardRollback(name, rollback.rollbacks());
            if (latest.isEmpty() || latest.get().incarnation() != l.incarnation) {
                return false; // deleted or replaced meanwhile: its own announcement or poll follows
            }
            publisher.cancel(name);
            l.rollBackTo(latest.get().withRollbacks(Math.max(latest.get().rollbacks(), rollback.rollbacks())),
                    clock.millis());
            registry.publish(l.snapshot());
            return true;
        });
    }

    /**
     * A policy created elsewhere, found in the store, to be learned here: served at once, whichever
     * way this instance heard of it first (its announcement, {@link #followed}, or a decision of it
     * that reached the Kafka learner before the announcement did). On the learning thread; the
     * caller places what it returns.
     */
    protected final PolicyLearning adoptCreatedElsewhere(StoredPolicy latest, long now) {
        PolicyLearning l = PolicyLearning.restored(latest, now, observer);
        registry.serve(latest.served());
        return l;
    }

    /**
     * Serves what this instance learns of a policy when it serves something else: a policy taken
     * over with its partition that was not served here yet (created on another instance, its
     * announcement not followed yet), or served at another version than the learner's, older (the
     * previous owner's final snapshot came after the version followed here) or newer (a rollback
     * made elsewhere, taken over from the store): the store's latest, which the learner starts
     * from, is what every instance serves. The follower passes over the policies learned here, so
     * without this the old version stayed served until this learner's next step. (After a rollback
     * a version number can come back with other weights; equal numbers are taken as equal here.)
     * A learner's steps only replace what is served ({@link PolicyRegistry#publish}). On the
     * learning thread.
     */
    protected final void serveLearned(PolicyLearning l) {
        PolicySnapshot served = registry.get(l.name);
        if (served == null || served.incarnation() != l.incarnation || served.version() != l.version()) {
            registry.serve(l.snapshot());
        }
    }

    /**
     * A snapshot another instance (or an admin call) made the latest: a rollback replaces the
     * learner's weights where this instance learns the policy; a new incarnation starts being
     * learned here if its decisions are ours; a version learned elsewhere is served.
     */
    public void followed(StoredPolicy latest, Announcement.Kind kind) {
        control.submit(() -> {
            String name = latest.name();
            long now = clock.millis();
            PolicyLearning l = learning(name);
            if (l != null && l.incarnation == latest.incarnation()) {
                // Learned here: what is served is what this instance learns, unless rolled back elsewhere.
                if (kind == Announcement.Kind.ROLLBACK
                        && !l.alreadyRolledBack(latest.version(), latest.rollbacks(), now)) {
                    publisher.cancel(name);
                    l.rollBackTo(latest, now);
                    registry.publish(l.snapshot());
                } else if (kind == Announcement.Kind.ROLLBACK) {
                    l.descendsFrom(latest.rollbacks());
                }
                serveLearned(l);
                return null;
            }
            if (takes(name)) {
                // Created or replaced on another instance, and its decisions are ours to learn.
                publisher.cancel(name);
                place(adoptCreatedElsewhere(latest, now));
            } else {
                registry.serve(latest.served());
            }
            return null;
        }).whenComplete((done, failure) -> {
            if (failure != null) {
                // Nobody waits on a followed change: a failure would otherwise vanish with its future.
                LOG.errorf(failure, "Cannot follow %s version %d of incarnation %d", latest.name(), latest.version(),
                        latest.incarnation());
            }
        });
    }

    /**
     * Another instance deleted a policy: it is no longer served or learned here. Decided on the
     * learning thread, after every change queued before it, against what is served then.
     *
     * @param incarnation the deleted incarnation when known (a poll saw its tombstone); absent for
     *                    an announcement, which deletes whatever incarnation is served
     */
    public void followedDeletion(String name, OptionalLong incarnation) {
        control.submit(() -> {
            PolicySnapshot current = registry.get(name);
            if (current == null || (incarnation.isPresent() && incarnation.getAsLong() != current.incarnation())) {
                return null;
            }
            PolicyLearning l = learning(name);
            if (l != null && l.incarnation == current.incarnation()) {
                remove(name);
                publisher.cancel(name);
            }
            registry.remove(name, current.incarnation());
            return null;
        });
    }

    // ---- Shared by both loops.

    /** Serves the new weights of the policies a step changed (incarnation-checked). */
    protected final void publish(Collection<PolicyLearning> changed) {
        long now = clock.millis();
        for (PolicyLearning l : changed) {
            registry.publish(l.snapshot());
            metrics.published(l.takeLearnedArrivals(), now);
        }
    }

    /** Hands a snapshot of a policy learned here to the publisher (written off this thread). */
    protected final void save(PolicyLearning l, StoredPolicy snapshot, long now) {
        publisher.submit(snapshot);
        l.saved(now);
    }

    /** Drops the snapshot writes still waiting for a policy (learning thread). */
    protected final void cancelWrites(String name) {
        try {
            publisher.cancel(name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
