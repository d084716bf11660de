package io.policyrec.feedback;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.policyrec.learning.PolicyGradientLearner;
import io.policyrec.metrics.LearningObserver;
import io.policyrec.policy.Decision;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.policy.PolicySnapshot;
import io.policyrec.snapshot.Announcement;
import io.policyrec.snapshot.SnapshotPublisher;
import io.policyrec.snapshot.SnapshotStore;
import io.policyrec.snapshot.SnapshotStoreException;
import io.policyrec.snapshot.StoredPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Learning from Kafka: this instance learns the policies of the decision-log partitions the
 * consumer group gives it, partition p of the decisions together with partition p of the routed
 * feedback (the range assignor gives both to the same member). When an instance dies, the group
 * gives its partitions to another, which resumes from the snapshots and the positions in them:
 * failover is Kafka's, nothing of ours to coordinate.
 *
 * <p>Why not Kafka Streams' windowed left join: its join keeps both sides in a state store with a
 * changelog topic and emits the joined record to another topic before a learner can read it, so
 * each 3 KB decision would cross the broker three more times (store changelog, join output, read
 * back) on top of the decision log itself. Measured here on 2 cores with the broker on the same
 * machine, writing the decision log once already costs about 12% of /recommend's sustainable rate
 * (loadtest/bench-logging.sh); the learner instead reads each decision once, joins it in memory
 * (bounded, with counted eviction) and records in its snapshots exactly which decisions it still
 * holds, which is what exactly-once needs. Only the small feedback records are re-partitioned (by
 * {@link FeedbackRouter}, in transactions). This alternative was reasoned from that measurement,
 * not benchmarked against a Kafka Streams build.
 */
public final class KafkaLearner implements PolicyHost {
    private static final Logger LOG = Logger.getLogger(KafkaLearner.class);
    private static final int MAX_BUFFERED = 20_000;

    private final KafkaSettings settings;
    private final LoopSettings loop;
    private final PolicyRegistry registry;
    private final SnapshotStore store;
    private final SnapshotPublisher publisher;
    private final JoinMetrics metrics;
    private final LearningObserver observer;
    private final Clock clock;
    private final ControlQueue control = new ControlQueue(() -> this.running);
    private final Map<Integer, PartitionLearner> partitions = new HashMap<>();
    private final Map<String, Long> unknownUntil = new HashMap<>();
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private final PendingBudget budget;
    private volatile boolean running;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile long lastDecisionTime;
    private volatile long lastPoll;

    public KafkaLearner(KafkaSettings settings, LoopSettings loop, PolicyRegistry registry, SnapshotStore store,
                        SnapshotPublisher publisher, MeterRegistry meters, LearningObserver observer, Clock clock) {
        this.observer = observer;
        this.settings = settings;
        this.loop = loop;
        this.registry = registry;
        this.store = store;
        this.publisher = publisher;
        this.metrics = new JoinMetrics(meters);
        this.clock = clock;
        this.budget = new PendingBudget(loop.maxPendingBytes());
        this.thread = new Thread(this::run, "policyrec-kafka-learner");
        this.thread.setDaemon(true);
        Gauge.builder("policyrec_learner_partitions", owned, Set::size)
                .description("Decision-log partitions this instance learns").register(meters);
    }

    /** The partitions this instance learns now. */
    public Set<Integer> ownedPartitions() {
        return Set.copyOf(owned);
    }

    /** Event time of the newest decision learned from, for the learner-lag gauge. */
    public long lastDecisionTime() {
        return lastDecisionTime;
    }

    @Override
    public void start() {
        if (!settings.learner()) {
            LOG.info("Learning is off on this instance (policyrec.kafka.learner-enabled=false): serving only");
            return;
        }
        running = true;
        thread.start();
    }

    @Override
    public CompletableFuture<Void> adopt(PolicySnapshot snapshot, PolicyGradientLearner learner, boolean persist) {
        return control.submit(() -> {
            long now = clock.millis();
            PolicyLearning l = learning(snapshot, learner, now);
            publisher.cancel(snapshot.name());
            if (persist) {
                store.save(l.stored(now, Map.of(), List.of()));
            }
            registry.put(snapshot);
            PartitionLearner p = partitions.get(PolicyPartitions.of(snapshot.name(), settings.partitions()));
            if (p != null) {
                p.forget(snapshot.name());
                Map<String, Long> cut = p.positions();
                p.adopt(l, null, cut.get(PartitionLearner.DECISIONS), cut.get(PartitionLearner.FEEDBACK));
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Boolean> forget(String name) {
        return control.submit(() -> {
            PartitionLearner p = partitions.get(PolicyPartitions.of(name, settings.partitions()));
            if (p != null) {
                p.forget(name);
            }
            boolean existed = registry.remove(name) != null;
            publisher.cancel(name);
            store.delete(name);
            return existed;
        });
    }

    @Override
    public CompletableFuture<Optional<StoredPolicy>> rollback(String name, long version) {
        return control.submit(() -> {
            publisher.cancel(name);
            Optional<StoredPolicy> s = store.rollback(name, version);
            if (s.isPresent()) {
                PolicyLearning current = learningOf(name);
                if (current != null && current.incarnation == s.get().incarnation()) {
                    current.rolledBack(s.get(), clock.millis());
                    registry.publish(current.snapshot());
                }
            }
            return s;
        });
    }

    private PolicyLearning learningOf(String name) {
        PartitionLearner p = partitions.get(PolicyPartitions.of(name, settings.partitions()));
        return p == null ? null : p.policies().get(name);
    }

    @Override
    public boolean learns(String name) {
        return owned.contains(PolicyPartitions.of(name, settings.partitions()));
    }

    @Override
    public void followed(StoredPolicy latest, Announcement.Kind kind) {
        control.execute(() -> {
            PartitionLearner p = partitions.get(PolicyPartitions.of(latest.name(), settings.partitions()));
            if (p == null) {
                return;
            }
            PolicyLearning current = p.policies().get(latest.name());
            if (kind == Announcement.Kind.DELETED) {
                p.forget(latest.name());
                cancelWrites(latest.name());
            } else if (current != null && current.incarnation == latest.incarnation()) {
                if (kind == Announcement.Kind.ROLLBACK && !current.alreadyRolledBack(latest.version(), clock.millis())) {
                    cancelWrites(latest.name());
                    current.replaceLearner(PolicyGradientLearner.restore(latest.config(), latest.learner()));
                    registry.publish(current.snapshot());
                }
            } else {
                cancelWrites(latest.name());
                // A policy created or replaced elsewhere whose decisions come to this partition.
                PolicyLearning l = new PolicyLearning(latest.name(), latest.incarnation(), latest.config(),
                        PolicyGradientLearner.restore(latest.config(), latest.learner()), latest.createdAt(),
                        loop.snapshotEveryUpdates(), clock.millis(), observer);
                p.forget(latest.name());
                Map<String, Long> cut = p.positions();
                p.adopt(l, null, cut.get(PartitionLearner.DECISIONS), cut.get(PartitionLearner.FEEDBACK));
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

    @Override
    public String health() {
        long since = clock.millis() - lastPoll;
        return running && since > 30_000 ? "kafka learner has not polled for " + since / 1000 + " s" : "ok";
    }

    private PolicyLearning learning(PolicySnapshot s, PolicyGradientLearner learner, long now) {
        return new PolicyLearning(s.name(), s.incarnation(), s.config(), learner, s.createdAt(),
                loop.snapshotEveryUpdates(), now, observer);
    }

    private void run() {
        while (running) {
            try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(settings, Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG, settings.learnerGroup(),
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000,
                    ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20,
                    // Range assignment gives partition p of both topics to the same member.
                    ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName(),
                    ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) settings.sessionTimeout().toMillis(),
                    // Static membership: this instance restarted takes its partitions back at once.
                    ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "policyrec-learner-" + settings.instanceId(),
                    ConsumerConfig.CLIENT_ID_CONFIG, "policyrec-learner-" + settings.instanceId()))) {
                consumer = c;
                c.subscribe(List.of(settings.decisionsTopic(), settings.routedTopic()), new Rebalance(c));
                while (running) {
                    ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(20));
                    lastPoll = clock.millis();
                    distribute(records);
                    long now = clock.millis();
                    for (PartitionLearner p : partitions.values()) {
                        step(c, p, now);
                    }
                    control.runPending();
                }
                saveAll();
            } catch (WakeupException e) {
                saveAll();
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warnf(e, "Kafka learner restarting");
                    saveAll();
                    partitions.values().forEach(PartitionLearner::release);
                    partitions.clear();
                    owned.clear();
                    sleep(1000);
                }
            }
        }
    }

    private void distribute(ConsumerRecords<byte[], byte[]> records) {
        for (ConsumerRecord<byte[], byte[]> r : records) {
            PartitionLearner p = partitions.get(r.partition());
            if (p == null) {
                continue;
            }
            LogRecord record = new LogRecord(r.offset(), r.timestamp(), r.value());
            if (r.topic().equals(settings.decisionsTopic())) {
                p.offerDecision(record);
            } else {
                p.offerFeedback(record);
            }
        }
    }

    private void step(KafkaConsumer<byte[], byte[]> c, PartitionLearner p, long now) {
        TopicPartition d = new TopicPartition(settings.decisionsTopic(), p.partition());
        TopicPartition f = new TopicPartition(settings.routedTopic(), p.partition());
        boolean dCaughtUp = p.decisionsEmpty() && caughtUp(c, d);
        boolean fCaughtUp = p.feedbackEmpty() && caughtUp(c, f);
        Set<PolicyLearning> changed = p.process(now, dCaughtUp, fCaughtUp, settings.grace().toMillis(),
                loop.maxBatchDelay().toMillis());
        double lag = dCaughtUp || p.lastDecisionTime() == 0 ? 0 : Math.max(0, now - p.lastDecisionTime()) / 1000.0;
        for (PolicyLearning l : p.policies().values()) {
            l.lag(lag);
        }
        long published = clock.millis();
        for (PolicyLearning l : changed) {
            registry.publish(l.snapshot());
            metrics.published(l.takeLearnedArrivals(), published);
        }
        lastDecisionTime = Math.max(lastDecisionTime, p.lastDecisionTime());
        if (!p.restoring() && saveDue(p, now)) {
            save(p, now);
        }
        // Each stream is held back on its own buffer: pausing the empty one would stop the merge,
        // which waits for it, and so the full one would never drain.
        throttle(c, d, p.decisionsBuffered());
        throttle(c, f, p.feedbackBuffered());
    }

    private static void throttle(KafkaConsumer<byte[], byte[]> c, TopicPartition tp, int buffered) {
        if (buffered > MAX_BUFFERED) {
            c.pause(List.of(tp));
        } else if (c.paused().contains(tp)) {
            c.resume(List.of(tp));
        }
    }

    private static boolean caughtUp(KafkaConsumer<byte[], byte[]> c, TopicPartition tp) {
        OptionalLong lag = c.currentLag(tp);
        return lag.isPresent() && lag.getAsLong() == 0;
    }

    private boolean saveDue(PartitionLearner p, long now) {
        for (PolicyLearning l : p.policies().values()) {
            if (l.saveDue(now, loop.snapshotEveryUpdates(), loop.snapshotInterval().toMillis())) {
                return true;
            }
        }
        return false;
    }

    /** Saves every policy of a partition at one cut (written off this thread). */
    private void save(PartitionLearner p, long now) {
        for (StoredPolicy s : p.snapshots(now)) {
            publisher.submit(s);
            p.policies().get(s.name()).saved(now);
        }
    }

    private void saveAll() {
        long now = clock.millis();
        for (PartitionLearner p : partitions.values()) {
            if (!p.restoring()) {
                save(p, now);
            }
        }
    }

    /** Takes partitions over from the snapshots, and hands them back with a final snapshot. */
    private final class Rebalance implements ConsumerRebalanceListener {
        private final KafkaConsumer<byte[], byte[]> c;

        Rebalance(KafkaConsumer<byte[], byte[]> c) {
            this.c = c;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            release(revoked, true);
            // The next owner reads the store as soon as it is assigned: the final snapshots must be
            // there by then, or it resumes from older ones and redoes that work.
            if (!publisher.flush(Duration.ofSeconds(5))) {
                LOG.warn("Final snapshots of revoked partitions not all written within 5 s");
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            // Another member may own them already and have saved newer snapshots: write nothing.
            release(lost, false);
        }

        private void release(Collection<TopicPartition> gone, boolean saveFirst) {
            long now = clock.millis();
            for (TopicPartition tp : gone) {
                if (tp.topic().equals(settings.decisionsTopic())) {
                    PartitionLearner p = partitions.remove(tp.partition());
                    owned.remove(tp.partition());
                    if (p != null) {
                        if (saveFirst && !p.restoring()) {
                            save(p, now);
                        } else {
                            p.policies().keySet().forEach(KafkaLearner.this::cancelWrites);
                        }
                        p.release();
                    }
                }
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            List<StoredPolicy> stored;
            try {
                stored = store.loadAllOrFail();
            } catch (SnapshotStoreException e) {
                throw new IllegalStateException("cannot read snapshots to take partitions over", e);
            }
            for (TopicPartition tp : assigned) {
                if (!tp.topic().equals(settings.decisionsTopic())) {
                    continue;
                }
                int partition = tp.partition();
                PartitionLearner p = new PartitionLearner(partition, budget, loop.maxRemembered(), metrics,
                        KafkaLearner.this::lookUp);
                TopicPartition routed = new TopicPartition(settings.routedTopic(), partition);
                for (StoredPolicy s : stored) {
                    if (PolicyPartitions.of(s.name(), settings.partitions()) != partition) {
                        continue;
                    }
                    long[] start = startFor(c, tp, routed, s);
                    PolicyGradientLearner learner = PolicyGradientLearner.restore(s.config(), s.learner());
                    PolicyLearning l = new PolicyLearning(s.name(), s.incarnation(), s.config(), learner, s.createdAt(),
                            loop.snapshotEveryUpdates(), clock.millis(), observer);
                    p.adopt(l, s, start[0], start[1]);
                }
                long decisionsFrom = p.decisionsStart();
                long feedbackFrom = p.feedbackStart();
                if (decisionsFrom == Long.MAX_VALUE) {
                    decisionsFrom = c.endOffsets(List.of(tp)).get(tp);
                    feedbackFrom = c.endOffsets(List.of(routed)).get(routed);
                }
                c.seek(tp, decisionsFrom);
                c.seek(routed, feedbackFrom);
                p.positioned(decisionsFrom, feedbackFrom);
                partitions.put(partition, p);
                owned.add(partition);
                LOG.infof("Learning partition %d: %d policies, from decision %d and feedback %d", partition,
                        p.policies().size(), decisionsFrom, feedbackFrom);
            }
        }
    }

    /** Positions for a policy whose snapshot has none: the first records since it was created. */
    private long[] startFor(KafkaConsumer<byte[], byte[]> c, TopicPartition decisions, TopicPartition routed,
                            StoredPolicy s) {
        if (s.positions().containsKey(PartitionLearner.DECISIONS)) {
            return new long[] {s.positions().get(PartitionLearner.DECISIONS),
                s.positions().get(PartitionLearner.FEEDBACK)};
        }
        Map<TopicPartition, OffsetAndTimestamp> byTime = c.offsetsForTimes(Map.of(decisions, s.createdAt(),
                routed, s.createdAt()));
        Map<TopicPartition, Long> end = c.endOffsets(List.of(decisions, routed));
        OffsetAndTimestamp d = byTime.get(decisions);
        OffsetAndTimestamp f = byTime.get(routed);
        return new long[] {d == null ? end.get(decisions) : d.offset(), f == null ? end.get(routed) : f.offset()};
    }

    /** A decision of a policy this learner does not know yet (created elsewhere a moment ago). */
    private Optional<PolicyLearning> lookUp(Decision d) {
        String key = d.policy() + "#" + d.incarnation();
        long now = clock.millis();
        Long until = unknownUntil.get(key);
        if (until != null && until > now) {
            return Optional.empty();
        }
        try {
            Optional<StoredPolicy> s = store.latest(d.policy());
            if (s.isPresent() && s.get().incarnation() == d.incarnation()) {
                StoredPolicy stored = s.get();
                PolicyGradientLearner learner = PolicyGradientLearner.restore(stored.config(), stored.learner());
                return Optional.of(new PolicyLearning(stored.name(), stored.incarnation(), stored.config(), learner,
                        stored.createdAt(), loop.snapshotEveryUpdates(), now, observer));
            }
        } catch (SnapshotStoreException e) {
            LOG.warnf("Cannot look policy %s up: %s", d.policy(), e.getMessage());
        }
        unknownUntil.put(key, now + 5000);
        return Optional.empty();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(20_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        control.runPending();
        if (!publisher.flush(Duration.ofSeconds(10))) {
            LOG.warn("Some final snapshots could not be written");
        }
    }

}
