package io.policyrec.feedback.kafka;

import io.policyrec.feedback.FeedbackParser;
import io.policyrec.feedback.RejectReason;
import io.policyrec.feedback.RoutedFeedback;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.policyrec.background.Background;
import io.policyrec.background.Worker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jboss.logging.Logger;

/**
 * Checks every record of {@code policyrec.feedback} and sends it on to the partition of the routed
 * topic that its event id names, where the instance learning that policy reads it; what cannot be
 * used goes to {@code policyrec.feedback.dlq} with the reason in a header. Each batch of records is
 * one Kafka transaction with the consumer's offsets, so every feedback record is routed (or
 * dead-lettered) exactly once, and a bad record never stops the stream.
 *
 * <p>Feedback partitions are shared among instances by consumer group: no coordination of ours.
 */
final class FeedbackRouter implements Background {
    private static final Logger LOG = Logger.getLogger(FeedbackRouter.class);
    public static final String REASON_HEADER = "policyrec.error.reason";
    public static final String DETAIL_HEADER = "policyrec.error.detail";

    private final KafkaSettings settings;
    private final FeedbackParser parser;
    private final MeterRegistry meters;
    private final Map<String, Counter> deadLettered = new ConcurrentHashMap<>();
    private final Counter routed;
    private final Counter unknown;
    private final Counter received;
    private volatile Worker worker;
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    public FeedbackRouter(KafkaSettings settings, MeterRegistry meters) {
        this.settings = settings;
        this.parser = new FeedbackParser(settings.clickReward());
        this.meters = meters;
        this.routed = Counter.builder("policyrec_feedback_routed_total")
                .description("Feedback records checked and routed to their policy's learner").register(meters);
        this.unknown = Counter.builder("policyrec_feedback_rejected_total").tag("reason", RejectReason.UNKNOWN.label())
                .description("Rewards not learned from, by reason").register(meters);
        this.received = Counter.builder("policyrec_feedback_received_total").tag("source", "kafka")
                .description("Feedback records received").register(meters);
    }

    @Override
    public void start() {
        // initTransactions does not heed a wakeup (Kafka away): shutdown waits for it at most 10 s.
        worker = Worker.start("policyrec-feedback-router", this::run).stopWithin(Duration.ofSeconds(10)).onStop(() -> {
            KafkaConsumer<byte[], byte[]> c = consumer;
            if (c != null) {
                c.wakeup();
            }
        });
    }

    private Counter dlq(String reason) {
        return deadLettered.computeIfAbsent(reason, r -> Counter.builder("policyrec_feedback_dlq_total")
                .tag("reason", r).description("Feedback records sent to the dead-letter topic, by reason")
                .register(meters));
    }

    private void run(Worker w) {
        KafkaSessions.repeat(w, "Feedback router", () -> session(w), () -> { }, () -> { });
    }

    private void session(Worker w) {
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(settings, Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, settings.routerGroup(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
                ConsumerConfig.CLIENT_ID_CONFIG, "policyrec-router-" + settings.instanceId()));
             KafkaProducer<byte[], byte[]> p = KafkaClients.producer(settings, Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "policyrec-router-" + settings.instanceId(),
                ProducerConfig.LINGER_MS_CONFIG, 1,
                ProducerConfig.CLIENT_ID_CONFIG, "policyrec-router-producer-" + settings.instanceId()))) {
            consumer = c;
            p.initTransactions();
            c.subscribe(List.of(settings.feedbackTopic()));
            while (w.running()) {
                ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(100));
                if (!records.isEmpty()) {
                    route(c, p, records);
                }
            }
        }
    }

    private void route(KafkaConsumer<byte[], byte[]> c, KafkaProducer<byte[], byte[]> p,
                       ConsumerRecords<byte[], byte[]> records) {
        long now = System.currentTimeMillis();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Map<String, Integer> dead = new HashMap<>();
        int ok = 0;
        int unknownIds = 0;
        try {
            p.beginTransaction();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                RoutedFeedback f;
                try {
                    f = parser.parse(r.key(), r.value(), Math.max(0, r.timestamp()));
                } catch (FeedbackParser.Invalid e) {
                    deadLetter(p, r, e.reason(), e.getMessage());
                    dead.merge(e.reason(), 1, Integer::sum);
                    continue;
                } catch (RuntimeException e) {
                    // A record this parser did not foresee must not stop routing for everyone.
                    deadLetter(p, r, "unreadable", String.valueOf(e));
                    dead.merge("unreadable", 1, Integer::sum);
                    continue;
                }
                int partition = PolicyPartitions.ofEventId(f.eventId());
                if (partition < 0 || partition >= settings.partitions()) {
                    unknownIds++;
                    continue;
                }
                // Merge order uses this record time; a reward stamped in the future must not hold the stream back.
                p.send(new ProducerRecord<>(settings.routedTopic(), partition, Math.min(f.eventTime(), now),
                        f.eventId().getBytes(StandardCharsets.UTF_8), f.encode()));
                ok++;
            }
            p.sendOffsetsToTransaction(offsets, c.groupMetadata());
            p.commitTransaction();
            received.increment(records.count());
            routed.increment(ok);
            unknown.increment(unknownIds);
            dead.forEach((reason, n) -> dlq(reason).increment(n));
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
            throw e;
        } catch (KafkaException e) {
            // Abort and read the batch again from the last committed offsets.
            LOG.warnf("Feedback routing transaction aborted: %s", e.toString());
            try {
                p.abortTransaction();
            } catch (KafkaException ignored) {
                throw e;
            }
            rewind(c, records);
        }
    }

    private void deadLetter(KafkaProducer<byte[], byte[]> p, ConsumerRecord<byte[], byte[]> r, String reason,
                            String detail) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        headers.add(DETAIL_HEADER, detail.getBytes(StandardCharsets.UTF_8));
        headers.add("policyrec.source", (r.topic() + "-" + r.partition() + "@" + r.offset())
                .getBytes(StandardCharsets.UTF_8));
        Long time = r.timestamp() >= 0 ? r.timestamp() : null;
        p.send(new ProducerRecord<>(settings.dlqTopic(), null, time, r.key(), r.value(), headers));
    }

    private static void rewind(KafkaConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            OffsetAndMetadata committed = c.committed(java.util.Set.of(tp)).get(tp);
            c.seek(tp, committed == null ? records.records(tp).get(0).offset() : committed.offset());
        }
    }

    @Override
    public void close() {
        Worker w = worker;
        if (w != null) {
            w.stop();
        }
    }
}
