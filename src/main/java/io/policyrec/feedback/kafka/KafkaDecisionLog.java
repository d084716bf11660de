package io.policyrec.feedback.kafka;

import io.policyrec.feedback.DecisionLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.policyrec.background.Inbox;
import io.policyrec.background.Worker;
import io.policyrec.policy.Decision;
import io.policyrec.policy.EventIds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

/**
 * The exploration log: every decision to {@code policyrec.decisions}, keyed by policy name, with
 * the decision time as record time. Requests only put the decision in a bounded {@link Inbox}; one
 * thread hands them to the producer (woken by a request only when it has been idle: with a blocking
 * queue's signal per decision, a request paid a system call and the sender a context switch for
 * nearly every decision). When Kafka is down the queue fills and further decisions are dropped
 * and counted, so /recommend never waits. The producer rides out a broker restart: the sending
 * thread waits up to a minute for metadata (only it blocks; requests fill the queue meanwhile) and
 * a record waits up to two minutes for its delivery, so a short outage delays decisions without
 * dropping them. A record is never sent a second time (after a timed-out delivery it may have been
 * written: a copy could be learned twice). Delivered + dropped = decisions made, less those queued
 * or in flight.
 */
final class KafkaDecisionLog implements DecisionLog {
    private static final Logger LOG = Logger.getLogger(KafkaDecisionLog.class);

    private final KafkaSettings settings;
    private final Inbox<Decision> queue;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Map<String, Integer> partitionOf = new ConcurrentHashMap<>();
    private final Counter dropped;
    private final Counter delivered;
    private final Worker sender;
    private final java.util.concurrent.atomic.LongAdder inFlight = new java.util.concurrent.atomic.LongAdder();
    private final long started = System.currentTimeMillis();
    private volatile long lastFailure;
    private volatile long lastSuccess;
    private volatile boolean closed;
    /** Set once the sender has made its last look: what is queued after that is dropped, not sent. */
    private volatile boolean senderStopped;

    public KafkaDecisionLog(KafkaSettings settings, MeterRegistry meters) {
        this.settings = settings;
        this.queue = new Inbox<>(settings.bufferCapacity());
        this.producer = KafkaClients.producer(settings, Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                ProducerConfig.CLIENT_ID_CONFIG, "policyrec-decisions-" + settings.instanceId()));
        this.dropped = Counter.builder("policyrec_decisions_dropped_total")
                .description("Decisions not learned from because the decision log could not take them")
                .register(meters);
        this.delivered = Counter.builder("policyrec_decisions_logged_total")
                .description("Decisions written to the decision log").register(meters);
        Gauge.builder("policyrec_decision_log_queue", queue, Inbox::size)
                .description("Decisions waiting to be handed to Kafka").register(meters);
        // With Kafka away the sending thread waits for metadata up to max.block.ms: shutdown does not wait for it.
        this.sender = Worker.start("policyrec-decision-log", this::send).stopWithin(Duration.ofSeconds(5));
    }

    @Override
    public String newEventId(String policy) {
        return eventIdFor(policy, EventIds.next());
    }

    /** The name with the policy's partition after it, so that feedback naming it is routed there. */
    @Override
    public String eventIdFor(String policy, String given) {
        // Per request: the partition of a name never changes, so it is hashed once per policy.
        int partition = partitionOf.computeIfAbsent(policy, n -> PolicyPartitions.of(n, settings.partitions()));
        return PolicyPartitions.eventId(given, partition);
    }

    @Override
    public void record(Decision decision) {
        if (closed || !queue.offer(decision)) {
            dropped.increment();
        } else if (senderStopped) {
            // Offered after the sender's last look (and perhaps after close's own drain): nobody else
            // will take it. Before that, the sender's final pass or close's drain counts it.
            dropQueued();
        }
    }

    /** Counts as dropped whatever is still queued (each item is polled by one thread only). */
    private void dropQueued() {
        while (queue.poll() != null) {
            dropped.increment();
        }
    }

    /**
     * Degraded when the last attempt to write failed more recently than the last success, or when
     * records have waited for two seconds with nothing acknowledged (Kafka is away: they are held).
     */
    @Override
    public String health() {
        if (lastFailure > lastSuccess || queue.remainingCapacity() == 0) {
            return "decision log cannot reach Kafka; decisions are being dropped";
        }
        boolean waiting = inFlight.sum() > 0 || !queue.isEmpty();
        return waiting && System.currentTimeMillis() - Math.max(lastSuccess, started) > 2000
                ? "decision log cannot reach Kafka; decisions are held until it is back" : "ok";
    }

    private void send(Worker w) throws InterruptedException {
        while (w.running() || !queue.isEmpty()) {
            Decision d = queue.take(TimeUnit.MILLISECONDS.toNanos(100));
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
            inFlight.increment();
            try {
                producer.send(record, (metadata, error) -> {
                    inFlight.decrement();
                    if (error == null) {
                        delivered.increment();
                        lastSuccess = System.currentTimeMillis();
                    } else {
                        // Metadata or buffer unavailable for max.block.ms, or not delivered within the timeout.
                        dropped.increment();
                        lastFailure = System.currentTimeMillis();
                        LOG.debugf("decision log write failed: %s", error);
                    }
                });
            } catch (RuntimeException e) {
                // A producer that cannot send any more (closed, fenced, interrupted).
                inFlight.decrement();
                dropped.increment();
                lastFailure = System.currentTimeMillis();
                LOG.debugf("decision log send refused: %s", e);
            }
        }
    }

    /**
     * Stops the sender once it has handed over what is queued; a decision offered after its last look
     * (a request finishing during shutdown) is counted as dropped, so that delivered + dropped still
     * adds up to the decisions made.
     */
    @Override
    public void close() {
        closed = true;
        sender.stop();
        senderStopped = true;
        dropQueued();
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
