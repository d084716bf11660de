package io.policyrec.feedback.kafka;

import java.nio.ByteBuffer;

/**
 * What a feedback router certifies on every routed partition, in the transaction after the rewards
 * it routed: every reward of feedback partition {@code feedbackPartition} (of
 * {@code feedbackPartitions}) stamped at or before {@code time} has been routed. A learner closes a
 * decision's window only when every feedback partition is certified past it, so a router that died
 * (its partitions not yet taken over) holds windows open instead of letting them close with the
 * default reward while the rewards wait unrouted.
 *
 * <p>The value of a routed record: format byte 3 (a routed reward is 2), the two partition numbers
 * and the time.
 */
record RouterWatermark(int feedbackPartition, int feedbackPartitions, long time) {
    static final byte FORMAT = 3;

    byte[] encode() {
        return ByteBuffer.allocate(1 + 4 + 4 + 8).put(FORMAT).putInt(feedbackPartition).putInt(feedbackPartitions)
                .putLong(time).array();
    }

    /** The watermark a routed record holds, or null when it holds a reward (or anything else). */
    static RouterWatermark decode(byte[] value) {
        if (value == null || value.length != 17 || value[0] != FORMAT) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(value, 1, 16);
        int partition = b.getInt();
        int partitions = b.getInt();
        long time = b.getLong();
        return partition >= 0 && partition < partitions && partitions <= 10_000
                ? new RouterWatermark(partition, partitions, time) : null;
    }
}
