package io.policyrec.feedback;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.policyrec.learning.PolicyGradientLearner;
import io.policyrec.metrics.LearningObserver;
import io.policyrec.policy.Decision;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.policy.PolicySnapshot;
import io.policyrec.snapshot.Announcement;
import io.policyrec.snapshot.JoinState;
import io.policyrec.snapshot.SnapshotPublisher;
import io.policyrec.snapshot.SnapshotStore;
import io.policyrec.snapshot.StoredPolicy;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The embedded feedback path: one thread that owns the reward join, the learners and the
 * snapshot writes. Requests hand it decisions and rewards through a bounded queue and never wait
 * for it; it publishes new weights to the registry after each update, with one reference swap.
 */
public final class LearningLoop implements PolicyHost {
    private static final Logger LOG = Logger.getLogger(LearningLoop.class);

    /** A reward as it arrived, with its event time and arrival time. */
    private record Reward(String eventId, double reward, long eventTime, long receivedAt) {
    }

    private final PolicyRegistry registry;
    private final SnapshotStore store;
    private final SnapshotPublisher publisher;
    private final LoopSettings settings;
    private final Clock clock;
    private final BlockingQueue<Object> inbox;
    private final ControlQueue control = new ControlQueue(() -> this.running);
    private final RewardJoin join;
    private final JoinMetrics metrics;
    private final Map<String, PolicyLearning> learning = new HashMap<>();
    private final Set<PolicyLearning> changed = new HashSet<>();
    private final Counter dropped;
    private final LearningObserver observer;
    private final Thread thread;
    private volatile long lastDecisionTime;
    private volatile boolean running;
    private volatile Error failure;
    private long nextTick;

    public LearningLoop(PolicyRegistry registry, SnapshotStore store, SnapshotPublisher publisher,
                        LoopSettings settings, MeterRegistry meters, LearningObserver observer, Clock clock) {
        this.observer = observer;
        this.registry = registry;
        this.store = store;
        this.publisher = publisher;
        this.settings = settings;
        this.clock = clock;
        this.inbox = new ArrayBlockingQueue<>(settings.inboxCapacity());
        this.dropped = Counter.builder("policyrec_decisions_dropped_total")
                .description("Decisions not learned from because the decision log could not take them")
                .register(meters);
        this.metrics = new JoinMetrics(meters);
        this.join = new RewardJoin(settings.maxPendingBytes(), settings.maxRemembered(),
                metrics.counting(this::learnFrom));
        this.thread = new Thread(this::run, "policyrec-learner");
        this.thread.setDaemon(true);
    }

    @Override
    public void start() {
        running = true;
        nextTick = clock.millis();
        thread.start();
    }

    /** Queues a decision for the join; false (and counted) when the queue is full. */
    public boolean offerDecision(Decision decision) {
        if (inbox.offer(decision)) {
            return true;
        }
        dropped.increment();
        return false;
    }

    /** Queues a reward; false when the queue is full. */
    public boolean offerReward(String eventId, double reward, long eventTime) {
        return inbox.offer(new Reward(eventId, reward, eventTime, clock.millis()));
    }

    /**
     * Takes over learning a policy: persists its snapshot (unless it came from the store), then
     * publishes it for serving. Completes once both are done.
     */
    @Override
    public CompletableFuture<Void> adopt(PolicySnapshot snapshot, PolicyGradientLearner learner, boolean persist) {
        return control.submit(() -> {
            long now = clock.millis();
            PolicyLearning l = new PolicyLearning(snapshot.name(), snapshot.incarnation(), snapshot.config(),
                    learner, snapshot.createdAt(), settings.snapshotEveryUpdates(), now, observer);
            publisher.cancel(snapshot.name());
            if (persist) {
                store.save(l.stored(now, Map.of(), java.util.List.of()));
            }
            registry.put(snapshot);
            learning.put(snapshot.name(), l);
            return null;
        });
    }

    /** Stops learning a policy and deletes its snapshots; completes with whether it existed. */
    @Override
    public CompletableFuture<Boolean> forget(String name) {
        return control.submit(() -> {
            PolicyLearning l = learning.remove(name);
            changed.remove(l);
            boolean existed = registry.remove(name) != null;
            publisher.cancel(name);
            store.delete(name);
            return existed || l != null;
        });
    }

    @Override
    public CompletableFuture<java.util.Optional<StoredPolicy>> rollback(String name, long version) {
        return control.submit(() -> {
            publisher.cancel(name);
            java.util.Optional<StoredPolicy> s = store.rollback(name, version);
            PolicyLearning l = learning.get(name);
            if (s.isPresent() && l != null && l.incarnation == s.get().incarnation()) {
                l.rolledBack(s.get(), clock.millis());
                registry.put(l.snapshot());
            }
            return s;
        });
    }

    @Override
    public boolean learns(String name) {
        return registry.get(name) != null;
    }

    @Override
    public void followed(StoredPolicy latest, Announcement.Kind kind) {
        control.execute(() -> {
            PolicyLearning l = learning.get(latest.name());
            long now = clock.millis();
            if (kind == Announcement.Kind.DELETED) {
                if (l != null && l.incarnation == latest.incarnation()) {
                    learning.remove(latest.name());
                    changed.remove(l);
                    cancelWrites(latest.name());
                }
            } else if (l != null && l.incarnation == latest.incarnation()) {
                if (kind == Announcement.Kind.ROLLBACK && !l.alreadyRolledBack(latest.version(), now)) {
                    cancelWrites(latest.name());
                    l.replaceLearner(PolicyGradientLearner.restore(latest.config(), latest.learner()));
                    registry.put(l.snapshot());
                }
            } else {
                // Created or replaced on another instance: learn the new incarnation from our own traffic.
                if (l != null) {
                    changed.remove(l);
                }
                cancelWrites(latest.name());
                learning.put(latest.name(), new PolicyLearning(latest.name(), latest.incarnation(), latest.config(),
                        PolicyGradientLearner.restore(latest.config(), latest.learner()), latest.createdAt(),
                        settings.snapshotEveryUpdates(), now, observer));
            }
        });
    }

    private void cancelWrites(String name) {
        try {
            publisher.cancel(name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (running) {
            try {
                Object first = inbox.poll(settings.tick().toMillis(), TimeUnit.MILLISECONDS);
                long now = clock.millis();
                if (first != null) {
                    handle(first);
                    for (int i = 0; i < 10_000; i++) {
                        Object next = inbox.poll();
                        if (next == null) {
                            break;
                        }
                        handle(next);
                    }
                }
                control.runPending();
                if (now >= nextTick) {
                    tick(now);
                    nextTick = now + settings.tick().toMillis();
                }
                publishChanged();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // One bad event must not stop learning for every policy.
                LOG.error("Learning loop error", e);
            } catch (Error e) {
                // Out of memory or worse: say so in readiness, and let admin calls run on their callers'
                // threads instead of waiting for this one forever.
                failure = e;
                running = false;
                control.runPending();
                LOG.error("Learning loop stopped", e);
                throw e;
            }
        }
    }

    @Override
    public String health() {
        Error e = failure;
        return e == null ? "ok" : "learning stopped after " + e;
    }

    private void handle(Object event) {
        if (event instanceof Decision d) {
            PolicyLearning l = learning.get(d.policy());
            if (l != null && l.owns(d)) {
                join.decided(d, l.rule);
            }
            lastDecisionTime = d.timestamp();
        } else if (event instanceof Reward r) {
            join.rewarded(r.eventId(), r.reward(), r.eventTime(), r.receivedAt());
        }
    }

    private void learnFrom(JoinedDecision joined) {
        PolicyLearning l = learning.get(joined.decision().policy());
        if (l != null && l.owns(joined.decision()) && l.learn(joined, joined.offset(), clock.millis())) {
            changed.add(l);
        }
    }

    private void tick(long now) {
        join.advanceTo(now);
        double lag = inbox.isEmpty() ? 0 : Math.max(0, now - lastDecisionTime) / 1000.0;
        for (PolicyLearning l : learning.values()) {
            l.lag(lag);
            if (l.flushIfWaiting(now, settings.maxBatchDelay().toMillis())) {
                changed.add(l);
            }
            if (l.saveDue(now, settings.snapshotEveryUpdates(), settings.snapshotInterval().toMillis())) {
                persist(l, now);
            }
        }
    }

    private void publishChanged() {
        long now = clock.millis();
        for (PolicyLearning l : changed) {
            registry.publish(l.snapshot());
            metrics.published(l.takeLearnedArrivals(), now);
        }
        changed.clear();
    }

    private void persist(PolicyLearning l, long now) {
        publisher.submit(l.stored(now, Map.of(), java.util.List.<JoinState.Pending>of()));
        l.saved(now);
    }

    /** Stops the loop and writes a final snapshot of every policy. */
    @Override
    public void close() {
        // No interrupt: it would close a snapshot file mid-write. The loop polls with a short timeout.
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        control.runPending();
        long now = clock.millis();
        for (PolicyLearning l : learning.values()) {
            persist(l, now);
        }
        if (!publisher.flush(java.time.Duration.ofSeconds(10))) {
            LOG.warn("Some final snapshots could not be written");
        }
    }
}
