package io.policyrec.feedback.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Kafka clients with the configured base properties plus what each role needs. */
final class KafkaClients {
    private KafkaClients() {
    }

    static Map<String, Object> merge(KafkaSettings settings, Map<String, Object> role) {
        Map<String, Object> props = new HashMap<>(settings.clientProperties());
        props.putAll(role);
        return props;
    }

    static KafkaProducer<byte[], byte[]> producer(KafkaSettings settings, Map<String, Object> role) {
        return new KafkaProducer<>(merge(settings, role), new ByteArraySerializer(), new ByteArraySerializer());
    }

    static KafkaConsumer<byte[], byte[]> consumer(KafkaSettings settings, Map<String, Object> role) {
        return new KafkaConsumer<>(merge(settings, role), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    static Admin admin(KafkaSettings settings) {
        return Admin.create(merge(settings, Map.of("request.timeout.ms", 10_000, "default.api.timeout.ms", 15_000)));
    }
}
