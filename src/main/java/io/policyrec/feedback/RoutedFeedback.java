package io.policyrec.feedback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A checked reward on its way to the learner that owns its decision: the value of a record on the
 * routed feedback topic (binary: format byte, event time, reward, event id).
 */
public record RoutedFeedback(String eventId, double reward, long eventTime) {
    static final byte FORMAT = 1;

    public byte[] encode() {
        byte[] id = eventId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 8 + 8 + id.length).put(FORMAT).putLong(eventTime).putDouble(reward).put(id)
                .array();
    }

    public static RoutedFeedback decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (bytes.length < 17 || b.get() != FORMAT) {
            throw new IllegalArgumentException("malformed routed feedback");
        }
        long time = b.getLong();
        double reward = b.getDouble();
        byte[] id = new byte[b.remaining()];
        b.get(id);
        return new RoutedFeedback(new String(id, StandardCharsets.UTF_8), reward, time);
    }
}
