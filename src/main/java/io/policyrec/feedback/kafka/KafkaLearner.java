package io.policyrec.feedback.kafka;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.policyrec.background.Worker;
import io.policyrec.feedback.LoopSettings;
import io.policyrec.feedback.PendingBudget;
import io.policyrec.feedback.PolicyHost;
import io.policyrec.feedback.PolicyLearning;
import io.policyrec.metrics.LearningObserver;
import io.policyrec.policy.Decision;
import io.policyrec.policy.PolicyRegistry;
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
final class KafkaLearner extends PolicyHost {
    private static final Logger LOG = Logger.getLogger(KafkaLearner.class);
    private static final int MAX_BUFFERED = 20_000;

    private final KafkaSettings settings;
    private final LoopSettings loop;
    private final Map<Integer, PartitionLearner> partitions = new HashMap<>();
    private final Map<String, Long> unknownUntil = new HashMap<>();
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private final PendingBudget budget;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile long lastDecisionTime;
    private volatile long lastPoll;

    public KafkaLearner(KafkaSettings settings, LoopSettings loop, PolicyRegistry registry, SnapshotStore store,
                        SnapshotPublisher publisher, MeterRegistry meters, LearningObserver observer, Clock clock) {
        super(registry, store, publisher, meters, observer, clock);
        this.settings = settings;
        this.loop = loop;
        this.budget = new PendingBudget(loop.maxPendingBytes());
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
        startLoop("policyrec-kafka-learner", loop.learnerNice(), this::run, () -> {
            KafkaConsumer<byte[], byte[]> c = consumer;
            if (c != null) {
                c.wakeup();
            }
        });
    }

    private PartitionLearner partitionOf(String name) {
        return partitions.get(PolicyPartitions.of(name, settings.partitions()));
    }

    @Override
    protected PolicyLearning learning(String name) {
        PartitionLearner p = partitionOf(name);
        return p == null ? null : p.policies().get(name);
    }

    /** A policy new to its partition starts at the partition's current cut: its decisions are all ahead. */
    @Override
    protected void place(PolicyLearning l) {
        PartitionLearner p = partitionOf(l.name);
        if (p != null) {
            p.forget(l.name);
            Map<String, Long> cut = p.positions();
            p.adopt(l, null, cut.get(PartitionLearner.DECISIONS), cut.get(PartitionLearner.FEEDBACK));
        }
    }

    @Override
    protected void remove(String name) {
        PartitionLearner p = partitionOf(name);
        if (p != null) {
            p.forget(name);
        }
    }

    @Override
    protected boolean takes(String name) {
        return partitionOf(name) != null;
    }

    @Override
    public boolean learns(String name) {
        return owned.contains(PolicyPartitions.of(name, settings.partitions()));
    }

    @Override
    public String health() {
        String stopped = super.health();
        if (!"ok".equals(stopped)) {
            return stopped;
        }
        long since = clock.millis() - lastPoll;
        return learningThreadRunning() && since > 30_000
                ? "kafka learner has not polled for " + since / 1000 + " s" : "ok";
    }

    private void run(Worker w) {
        // Admin work goes on between sessions too (Kafka away): followed snapshots must still be served.
        KafkaSessions.repeat(w, "Kafka learner", () -> session(w), () -> {
            partitions.values().forEach(PartitionLearner::release);
            partitions.clear();
            owned.clear();
        }, this::runAdminWork);
    }

    /**
     * One consumer's life. Final snapshots: on a normal end before the consumer closes (its revoke
     * then hands the partitions over); on a wakeup or a failure after it closed, for what the
     * rebalance listener did not already save or give up as lost.
     */
    private void session(Worker w) {
        try {
            consume(w);
        } catch (WakeupException e) {
            saveAll();
            throw e;
        } catch (RuntimeException e) {
            if (w.running()) {
                saveAll();
            }
            throw e;
        }
    }

    private void consume(Worker w) {
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
            while (w.running()) {
                ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(20));
                lastPoll = clock.millis();
                distribute(records);
                long now = clock.millis();
                for (PartitionLearner p : partitions.values()) {
                    step(c, p, now);
                }
                runAdminWork();
            }
            saveAll();
        }
    }

    private void distribute(ConsumerRecords<byte[], byte[]> records) {
        long now = clock.millis();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            PartitionLearner p = partitions.get(r.partition());
            if (p == null) {
                continue;
            }
            LogRecord record = new LogRecord(r.offset(), r.timestamp(), r.value(), now);
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
        publish(changed);
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
            save(p.policies().get(s.name()), s, now);
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
                p.holdOrphans(settings.orphanWait().toMillis(), settings.maxOrphans());
                TopicPartition routed = new TopicPartition(settings.routedTopic(), partition);
                for (StoredPolicy s : stored) {
                    if (PolicyPartitions.of(s.name(), settings.partitions()) != partition) {
                        continue;
                    }
                    long[] start = startFor(c, tp, routed, s);
                    PolicyLearning adopted = PolicyLearning.restored(s, clock.millis(), observer);
                    p.adopt(adopted, s, start[0], start[1]);
                    serveLearned(adopted);
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
                return Optional.of(adoptCreatedElsewhere(s.get(), now));
            }
        } catch (SnapshotStoreException e) {
            LOG.warnf("Cannot look policy %s up: %s", d.policy(), e.getMessage());
        }
        unknownUntil.put(key, now + 5000);
        return Optional.empty();
    }
}
