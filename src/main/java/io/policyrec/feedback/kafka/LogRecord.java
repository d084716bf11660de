package io.policyrec.feedback.kafka;

/**
 * One record of a log partition as the learner needs it: where it sits, when it happened, its
 * bytes, and when this learner received it (wall clock; {@link Long#MIN_VALUE} for a record read
 * back long after, as replays and tests do).
 */
record LogRecord(long offset, long timestamp, byte[] value, long receivedAt) {
    LogRecord(long offset, long timestamp, byte[] value) {
        this(offset, timestamp, value, Long.MIN_VALUE);
    }
}
