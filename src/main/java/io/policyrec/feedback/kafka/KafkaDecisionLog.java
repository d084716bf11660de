package io.policyrec.feedback.kafka;

import io.policyrec.feedback.DecisionLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.policyrec.background.Worker;
import io.policyrec.policy.Decision;
import io.policyrec.policy.EventIds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.jboss.logging.Logger;

/**
 * The exploration log: every decision to {@code policyrec.decisions}, keyed by policy name, with
 * the decision time as record time. Requests only put the decision in a bounded queue; one thread
 * hands them to the producer. When Kafka is down the queue fills and further decisions are dropped
 * and counted, so /recommend never waits. A decision the producer could not take (Kafka away for
 * longer than max.block.ms) is offered again, and one it gave up on for a retriable reason (a
 * broker restart outlasting the delivery timeout) goes back into the queue: only a full queue or a
 * record Kafka refuses for good drops one (a decision written twice that way is joined once: the
 * join knows its event id). Delivered + dropped = decisions made, less those still queued.
 */
final class KafkaDecisionLog implements DecisionLog {
    private static final Logger LOG = Logger.getLogger(KafkaDecisionLog.class);

    private final KafkaSettings settings;
    private final BlockingQueue<Decision> queue;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Map<String, Integer> partitionOf = new ConcurrentHashMap<>();
    private final Counter dropped;
    private final Counter delivered;
    private final Worker sender;
    private volatile long lastFailure;
    private volatile long lastSuccess;

    public KafkaDecisionLog(KafkaSettings settings, MeterRegistry meters) {
        this.settings = settings;
        this.queue = new ArrayBlockingQueue<>(settings.bufferCapacity());
        this.producer = KafkaClients.producer(settings, Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                ProducerConfig.CLIENT_ID_CONFIG, "policyrec-decisions-" + settings.instanceId()));
        this.dropped = Counter.builder("policyrec_decisions_dropped_total")
                .description("Decisions not learned from because the decision log could not take them")
                .register(meters);
        this.delivered = Counter.builder("policyrec_decisions_logged_total")
                .description("Decisions written to the decision log").register(meters);
        Gauge.builder("policyrec_decision_log_queue", queue, BlockingQueue::size)
                .description("Decisions waiting to be handed to Kafka").register(meters);
        // With Kafka away the queue drains one record per max.block.ms: shutdown does not wait for it.
        this.sender = Worker.start("policyrec-decision-log", this::send).stopWithin(Duration.ofSeconds(5));
    }

    @Override
    public String newEventId(String policy) {
        // Per request: the partition of a name never changes, so it is hashed once per policy.
        int partition = partitionOf.computeIfAbsent(policy, n -> PolicyPartitions.of(n, settings.partitions()));
        return PolicyPartitions.eventId(EventIds.next(), partition);
    }

    @Override
    public void record(Decision decision) {
        if (!queue.offer(decision)) {
            dropped.increment();
        }
    }

    /** Degraded when the last attempt to write failed more recently than the last success. */
    @Override
    public String health() {
        return lastFailure > lastSuccess || queue.remainingCapacity() == 0
                ? "decision log cannot reach Kafka; decisions are being dropped" : "ok";
    }

    private void send(Worker w) throws InterruptedException {
        Decision again = null;
        while (w.running() || !queue.isEmpty()) {
            Decision d = again != null ? again : queue.poll(100, TimeUnit.MILLISECONDS);
            again = null;
            if (d == null) {
                continue;
            }
            // The event id already names the partition the request path chose; hash the name only if it does not.
            int partition = PolicyPartitions.ofEventId(d.eventId());
            if (partition < 0) {
                partition = PolicyPartitions.of(d.policy(), settings.partitions());
            }
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(settings.decisionsTopic(), partition,
                    d.timestamp(), d.policy().getBytes(StandardCharsets.UTF_8), DecisionCodec.encode(d));
            try {
                producer.send(record, (metadata, error) -> {
                    if (error == null) {
                        delivered.increment();
                        lastSuccess = System.currentTimeMillis();
                    } else {
                        lastFailure = System.currentTimeMillis();
                        if (!(error instanceof RetriableException) || !queue.offer(d)) {
                            dropped.increment();
                            LOG.debugf("decision log write failed: %s", error);
                        }
                    }
                });
            } catch (RuntimeException e) {
                // Buffer full or metadata unavailable for max.block.ms: Kafka is away. The same decision
                // again (the queue fills meanwhile), unless this instance is stopping.
                lastFailure = System.currentTimeMillis();
                LOG.debugf("decision log send refused: %s", e);
                if (w.running()) {
                    again = d;
                } else {
                    dropped.increment();
                }
            }
        }
    }

    @Override
    public void close() {
        sender.stop();
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
