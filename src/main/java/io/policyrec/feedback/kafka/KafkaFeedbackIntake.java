package io.policyrec.feedback.kafka;

import io.policyrec.feedback.FeedbackIntake;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * HTTP feedback when Kafka is on: written to the same {@code policyrec.feedback} topic the
 * applications write to, so that there is one join and one order for both.
 */
final class KafkaFeedbackIntake implements FeedbackIntake {
    private final KafkaSettings settings;
    private final KafkaProducer<byte[], byte[]> producer;

    public KafkaFeedbackIntake(KafkaSettings settings) {
        this.settings = settings;
        this.producer = KafkaClients.producer(settings, Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 2,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 500,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 16L * 1024 * 1024,
                ProducerConfig.CLIENT_ID_CONFIG, "policyrec-http-feedback-" + settings.instanceId()));
    }

    @Override
    public boolean accept(String eventId, double reward, long eventTime) {
        return send(eventId, "{\"eventId\":" + quote(eventId) + ",\"reward\":" + reward + ",\"timestamp\":"
                + eventTime + "}");
    }

    /** As applications would write it to the topic (FeedbackParser reads {"activate": true}). */
    @Override
    public boolean activate(String eventId, long eventTime) {
        return send(eventId, "{\"eventId\":" + quote(eventId) + ",\"activate\":true,\"timestamp\":" + eventTime
                + "}");
    }

    private boolean send(String eventId, String json) {
        try {
            // The record's own time is the time received: the event time travels in the value, and a
            // broker may refuse record times far from its clock.
            producer.send(new ProducerRecord<>(settings.feedbackTopic(), null, null,
                    eventId.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8)));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
