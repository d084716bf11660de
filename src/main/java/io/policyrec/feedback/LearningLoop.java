package io.policyrec.feedback;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.policyrec.learning.PolicyGradientLearner;
import io.policyrec.learning.PolicyTrainer;
import io.policyrec.learning.RewardedDecision;
import io.policyrec.learning.StepReport;
import io.policyrec.policy.Decision;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.policy.PolicySnapshot;
import io.policyrec.snapshot.SnapshotStore;
import io.policyrec.snapshot.SnapshotStoreException;
import io.policyrec.snapshot.StoredPolicy;
import java.time.Clock;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The embedded feedback path: one thread that owns the reward join, the learners and the
 * snapshot writes. Requests hand it decisions and rewards through a bounded queue and never wait
 * for it; it publishes new weights to the registry after each update, with one reference swap.
 */
public final class LearningLoop implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LearningLoop.class);

    /** A reward as it arrived, with its event time. */
    private record Reward(String eventId, double reward, long eventTime) {
    }

    private final PolicyRegistry registry;
    private final SnapshotStore store;
    private final LoopSettings settings;
    private final Clock clock;
    private final BlockingQueue<Object> inbox;
    private final ConcurrentLinkedQueue<Runnable> control = new ConcurrentLinkedQueue<>();
    private final RewardJoin join;
    private final Map<String, Learning> learning = new HashMap<>();
    private final Set<Learning> changed = new HashSet<>();
    private final Counter dropped;
    private final Counter evicted;
    private final Map<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);
    private final Counter joinedRewarded;
    private final Counter joinedDefault;
    private final Thread thread;
    private volatile boolean running;
    private long nextTick;

    /** One policy being learned: its trainer and bookkeeping. */
    private static final class Learning {
        final String name;
        final long incarnation;
        final PolicyConfig config;
        final JoinRule rule;
        final PolicyTrainer trainer;
        long persistedUpdates;
        long persistedAt;
        long createdAt;

        Learning(String name, long incarnation, PolicyConfig config, PolicyTrainer trainer, long now) {
            this.name = name;
            this.incarnation = incarnation;
            this.config = config;
            this.rule = JoinRule.of(config);
            this.trainer = trainer;
            this.persistedUpdates = trainer.learner().updates();
            this.persistedAt = now;
            this.createdAt = now;
        }
    }

    public LearningLoop(PolicyRegistry registry, SnapshotStore store, LoopSettings settings, MeterRegistry meters,
                        Clock clock) {
        this.registry = registry;
        this.store = store;
        this.settings = settings;
        this.clock = clock;
        this.inbox = new ArrayBlockingQueue<>(settings.inboxCapacity());
        this.dropped = Counter.builder("policyrec_decisions_dropped_total")
                .description("Decisions not learned from because the learning queue was full").register(meters);
        this.evicted = Counter.builder("policyrec_decisions_evicted_total")
                .description("Pending decisions evicted unlearned because the pending budget was full")
                .register(meters);
        for (RejectReason r : RejectReason.values()) {
            rejected.put(r, Counter.builder("policyrec_feedback_rejected_total").tag("reason", r.label())
                    .description("Rewards not learned from, by reason").register(meters));
        }
        this.joinedRewarded = Counter.builder("policyrec_decisions_joined_total").tag("outcome", "rewarded")
                .description("Decisions applied to learning, by how their reward was found").register(meters);
        this.joinedDefault = Counter.builder("policyrec_decisions_joined_total").tag("outcome", "default")
                .description("Decisions applied to learning, by how their reward was found").register(meters);
        this.join = new RewardJoin(settings.maxPendingBytes(), settings.maxRemembered(), new RewardJoin.Listener() {
            @Override
            public void joined(JoinedDecision joined) {
                learnFrom(joined);
            }

            @Override
            public void rejected(RejectReason reason) {
                rejected.get(reason).increment();
            }

            @Override
            public void evicted(Decision decision) {
                evicted.increment();
            }
        });
        this.thread = new Thread(this::run, "policyrec-learner");
        this.thread.setDaemon(true);
    }

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
        return inbox.offer(new Reward(eventId, reward, eventTime));
    }

    /** Counts feedback rejected before it reached the join (malformed). */
    public void rejectedInvalid() {
        rejected.get(RejectReason.INVALID).increment();
    }

    /**
     * Takes over learning a policy: persists its snapshot (unless it came from the store), then
     * publishes it for serving. Completes once both are done.
     */
    public CompletableFuture<Void> adopt(PolicySnapshot snapshot, PolicyGradientLearner learner, boolean persist) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        control.add(() -> {
            try {
                Learning l = new Learning(snapshot.name(), snapshot.incarnation(), snapshot.config(),
                        new PolicyTrainer(learner), snapshot.createdAt());
                if (persist) {
                    store.save(stored(l, clock.millis()));
                }
                registry.put(snapshot);
                learning.put(snapshot.name(), l);
                done.complete(null);
            } catch (Exception e) {
                done.completeExceptionally(e);
            }
        });
        wake();
        return done;
    }

    /** Stops learning a policy and deletes its snapshots; completes once done. */
    public CompletableFuture<Boolean> forget(String name) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        control.add(() -> {
            try {
                Learning l = learning.remove(name);
                changed.remove(l);
                boolean existed = registry.remove(name) != null;
                store.delete(name);
                done.complete(existed || l != null);
            } catch (Exception e) {
                done.completeExceptionally(e);
            }
        });
        wake();
        return done;
    }

    private void wake() {
        if (!running) {
            runControl();
        }
    }

    private void run() {
        while (running) {
            try {
                Object first = inbox.poll(settings.tick().toMillis(), TimeUnit.MILLISECONDS);
                long now = clock.millis();
                if (first != null) {
                    handle(first, now);
                    for (int i = 0; i < 10_000; i++) {
                        Object next = inbox.poll();
                        if (next == null) {
                            break;
                        }
                        handle(next, now);
                    }
                }
                runControl();
                if (now >= nextTick) {
                    tick(now);
                    nextTick = now + settings.tick().toMillis();
                }
                publishChanged(now);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // One bad event must not stop learning for every policy.
                LOG.error("Learning loop error", e);
            }
        }
    }

    private void runControl() {
        Runnable r;
        while ((r = control.poll()) != null) {
            r.run();
        }
    }

    private void handle(Object event, long now) {
        if (event instanceof Decision d) {
            Learning l = learning.get(d.policy());
            if (l != null && l.incarnation == d.incarnation()) {
                join.decided(d, l.rule);
            }
        } else if (event instanceof Reward r) {
            join.rewarded(r.eventId(), r.reward(), r.eventTime());
        }
    }

    private void learnFrom(JoinedDecision joined) {
        (joined.rewarded() ? joinedRewarded : joinedDefault).increment();
        Decision d = joined.decision();
        Learning l = learning.get(d.policy());
        if (l == null || l.incarnation != d.incarnation()) {
            return;
        }
        StepReport step = l.trainer.add(new RewardedDecision(d.context(), d.eligible(), d.action(), d.probability(),
                joined.reward()), clock.millis());
        if (step != null) {
            stepped(l);
        }
    }

    private void stepped(Learning l) {
        changed.add(l);
        long updates = l.trainer.learner().updates();
        if (settings.snapshotEveryUpdates() > 0 && updates % settings.snapshotEveryUpdates() == 0) {
            l.trainer.learner().rememberCurrentAsPrevious();
        }
    }

    private void tick(long now) {
        join.advanceTo(now);
        long maxDelay = settings.maxBatchDelay().toMillis();
        for (Learning l : learning.values()) {
            if (maxDelay > 0 && l.trainer.flushIfWaiting(now, maxDelay) != null) {
                stepped(l);
            }
            long updates = l.trainer.learner().updates();
            boolean due = updates - l.persistedUpdates >= settings.snapshotEveryUpdates()
                    || (updates != l.persistedUpdates && now - l.persistedAt >= settings.snapshotInterval().toMillis());
            if (due) {
                persist(l, now);
            }
        }
    }

    private void publishChanged(long now) {
        for (Learning l : changed) {
            PolicyGradientLearner learner = l.trainer.learner();
            registry.publish(new PolicySnapshot(l.name, l.incarnation, l.config, learner.updates(), learner.updates(),
                    learner.weights(), learner.lambda(), l.createdAt));
        }
        changed.clear();
    }

    private void persist(Learning l, long now) {
        try {
            store.save(stored(l, now));
            l.persistedUpdates = l.trainer.learner().updates();
            l.persistedAt = now;
        } catch (SnapshotStoreException e) {
            LOG.errorf("Snapshot of %s failed: %s", l.name, e.getMessage());
        }
    }

    private StoredPolicy stored(Learning l, long now) {
        PolicyGradientLearner learner = l.trainer.learner();
        double entropy = l.trainer.lastStep() == null ? Double.NaN : l.trainer.lastStep().meanEntropy();
        return new StoredPolicy(l.name, l.incarnation, l.config, learner.updates(), now, entropy, learner.state(),
                Map.of());
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
        runControl();
        long now = clock.millis();
        for (Learning l : learning.values()) {
            persist(l, now);
        }
    }
}
