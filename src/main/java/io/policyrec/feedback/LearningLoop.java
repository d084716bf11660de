package io.policyrec.feedback;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.policyrec.background.Inbox;
import io.policyrec.background.Worker;
import io.policyrec.metrics.LearningObserver;
import io.policyrec.policy.Decision;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.snapshot.SnapshotPublisher;
import io.policyrec.snapshot.SnapshotStore;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The embedded feedback path: one thread that owns the reward join, the learners and the
 * snapshot writes. Requests hand it decisions and rewards through a bounded queue and never wait
 * for it. Every policy of this instance is learned here, in one map.
 */
public final class LearningLoop extends PolicyHost implements DecisionLog, FeedbackIntake {
    private static final Logger LOG = Logger.getLogger(LearningLoop.class);

    /** A reward as it arrived, with its event time and arrival time. */
    private record Reward(String eventId, double reward, long eventTime, long receivedAt) {
    }

    private final LoopSettings settings;
    private final Inbox<Object> inbox;
    private final RewardJoin join;
    private final Map<String, PolicyLearning> learning = new ConcurrentHashMap<>();
    private final Set<PolicyLearning> changed = new HashSet<>();
    private final Counter dropped;
    private volatile long lastDecisionTime;
    private long nextTick;

    public LearningLoop(PolicyRegistry registry, SnapshotStore store, SnapshotPublisher publisher,
                        LoopSettings settings, MeterRegistry meters, LearningObserver observer, Clock clock) {
        super(registry, store, publisher, meters, observer, clock);
        this.settings = settings;
        this.inbox = new Inbox<>(settings.inboxCapacity());
        this.dropped = Counter.builder("policyrec_decisions_dropped_total")
                .description("Decisions not learned from because the decision log could not take them")
                .register(meters);
        this.join = new RewardJoin(settings.maxPendingBytes(), settings.maxRemembered(),
                metrics.counting(this::learnFrom));
    }

    @Override
    public void start() {
        nextTick = clock.millis();
        startLoop("policyrec-learner", settings.learnerNice(), this::run, () -> { });
    }

    /** Queues a decision for the join; counted as dropped when the queue is full. */
    @Override
    public void record(Decision decision) {
        offerDecision(decision);
    }

    /** Queues a decision for the join; false (and counted as dropped) when the queue is full. */
    public boolean offerDecision(Decision decision) {
        if (inbox.offer(decision)) {
            return true;
        }
        dropped.increment();
        return false;
    }

    /** Queues a reward; false when the queue is full. */
    @Override
    public boolean accept(String eventId, double reward, long eventTime) {
        return inbox.offer(new Reward(eventId, reward, eventTime, clock.millis()));
    }

    @Override
    protected PolicyLearning learning(String name) {
        return learning.get(name);
    }

    @Override
    protected void place(PolicyLearning l) {
        PolicyLearning old = learning.put(l.name, l);
        if (old != null) {
            changed.remove(old);
        }
    }

    @Override
    protected void remove(String name) {
        PolicyLearning l = learning.remove(name);
        if (l != null) {
            changed.remove(l);
        }
    }

    @Override
    protected boolean takes(String name) {
        return true;
    }

    @Override
    public boolean learns(String name) {
        return learning.containsKey(name);
    }

    /** Ends only when stopped, or interrupted (nothing interrupts it: {@link Worker} never does). */
    private void run(Worker w) throws InterruptedException {
        while (w.running()) {
            try {
                Object first = inbox.take(settings.tick().toNanos());
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
                runAdminWork();
                if (now >= nextTick) {
                    tick(now);
                    nextTick = now + settings.tick().toMillis();
                }
                publish(changed);
                changed.clear();
            } catch (RuntimeException e) {
                // One bad event must not stop learning for every policy.
                LOG.error("Learning loop error", e);
            }
        }
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
                save(l, now);
            }
        }
    }

    private void save(PolicyLearning l, long now) {
        save(l, l.stored(now, Map.of(), List.of()), now);
    }

    /** A final snapshot of every policy (the loop has stopped; the queue polls end it within a tick). */
    @Override
    protected void saveAtClose(long now) {
        for (PolicyLearning l : learning.values()) {
            save(l, now);
        }
    }
}
