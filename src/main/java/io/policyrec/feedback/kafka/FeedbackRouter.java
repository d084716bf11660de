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
 * With static membership and the configured session timeout, an instance restarted takes its
 * partitions back at once, and a dead one's move well inside a reward window. Every
 * {@link #WATERMARK_EVERY_MS} ms, in the same kind of transaction, the router certifies each
 * feedback partition it has routed up to the end of ({@link RouterWatermark}) on every routed
 * partition, so that learners close windows only as far as every reward has been routed.
 */
final class FeedbackRouter implements Background {
    private static final Logger LOG = Logger.getLogger(FeedbackRouter.class);
    public static final String REASON_HEADER = "policyrec.error.reason";
    public static final String DETAIL_HEADER = "policyrec.error.detail";
    /** How often caught-up feedback partitions are certified to the learners. */
    static final long WATERMARK_EVERY_MS = 200;

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
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) settings.sessionTimeout().toMillis(),
                // Static membership: this instance restarted takes its feedback partitions back at once.
                ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "policyrec-router-" + settings.instanceId(),
                ConsumerConfig.CLIENT_ID_CONFIG, "policyrec-router-" + settings.instanceId()));
             KafkaProducer<byte[], byte[]> p = KafkaClients.producer(settings, Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "policyrec-router-" + settings.instanceId(),
                ProducerConfig.LINGER_MS_CONFIG, 1,
                ProducerConfig.CLIENT_ID_CONFIG, "policyrec-router-producer-" + settings.instanceId()))) {
            consumer = c;
            p.initTransactions();
            c.subscribe(List.of(settings.feedbackTopic()));
            // The topic's own count (it may have been created with more than configured): a learner
            // waits for a certificate from each.
            int feedbackPartitions = c.partitionsFor(settings.feedbackTopic()).size();
            long certifiedAt = 0;
            while (w.running()) {
                // Before the poll: a partition found caught up after it holds every record stamped earlier
                // (but those still on their way from a producer, which the learners' grace waits for).
                long pollStart = System.currentTimeMillis();
                ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(100));
                boolean certify = pollStart - certifiedAt >= WATERMARK_EVERY_MS;
                if (!records.isEmpty() || certify) {
                    route(c, p, records, certify ? caughtUp(c) : List.of(), feedbackPartitions, pollStart);
                    certifiedAt = certify ? pollStart : certifiedAt;
                }
            }
        }
    }

    /** The feedback partitions this router has routed up to the end of (as of its last fetch). */
    private static List<Integer> caughtUp(KafkaConsumer<byte[], byte[]> c) {
        List<Integer> done = new java.util.ArrayList<>();
        for (TopicPartition tp : c.assignment()) {
            java.util.OptionalLong lag = c.currentLag(tp);
            if (lag.isPresent() && lag.getAsLong() == 0) {
                done.add(tp.partition());
            }
        }
        return done;
    }

    private void route(KafkaConsumer<byte[], byte[]> c, KafkaProducer<byte[], byte[]> p,
                       ConsumerRecords<byte[], byte[]> records, List<Integer> certified, int feedbackPartitions,
                       long certifiedTime) {
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
            // After the rewards they cover, in the same transaction: a learner reads them in this order.
            for (int fp : certified) {
                byte[] mark = new RouterWatermark(fp, feedbackPartitions, certifiedTime).encode();
                for (int rp = 0; rp < settings.partitions(); rp++) {
                    p.send(new ProducerRecord<>(settings.routedTopic(), rp, certifiedTime, null, mark));
                }
            }
            if (!offsets.isEmpty()) {
                p.sendOffsetsToTransaction(offsets, c.groupMetadata());
            }
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
