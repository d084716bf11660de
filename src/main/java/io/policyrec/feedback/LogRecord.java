package io.policyrec.feedback;

/** One record of a log partition as the learner needs it: where it sits, when it happened, its bytes. */
public record LogRecord(long offset, long timestamp, byte[] value) {
}
