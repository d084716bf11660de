package io.policyrec.feedback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A checked reward on its way to the learner that owns its decision: the value of a record on the
 * routed feedback topic (binary: format byte, event time, time received, reward, event id).
 *
 * @param eventTime  when the reward happened (decides whether it is inside its decision's window)
 * @param receivedAt when it reached the service (the feedback record's time): freshness counts from here
 */
public record RoutedFeedback(String eventId, double reward, long eventTime, long receivedAt) {
    static final byte FORMAT = 2;

    public byte[] encode() {
        byte[] id = eventId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 8 + 8 + 8 + id.length).put(FORMAT).putLong(eventTime).putLong(receivedAt)
                .putDouble(reward).put(id).array();
    }

    public static RoutedFeedback decode(byte[] bytes) {
        if (bytes == null || bytes.length < 25 || bytes[0] != FORMAT) {
            throw new IllegalArgumentException("malformed routed feedback");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
        long time = b.getLong();
        long received = b.getLong();
        double reward = b.getDouble();
        byte[] id = new byte[b.remaining()];
        b.get(id);
        return new RoutedFeedback(new String(id, StandardCharsets.UTF_8), reward, time, received);
    }
}
