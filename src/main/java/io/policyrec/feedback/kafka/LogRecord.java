package io.policyrec.feedback.kafka;

/** One record of a log partition as the learner needs it: where it sits, when it happened, its bytes. */
record LogRecord(long offset, long timestamp, byte[] value) {
}
