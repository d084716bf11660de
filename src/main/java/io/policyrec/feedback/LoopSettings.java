package io.policyrec.feedback;

import java.time.Duration;

/**
 * How the embedded learning loop runs.
 *
 * @param maxPendingBytes    budget for decisions waiting for rewards (their records are off the heap)
 * @param maxRemembered      finished decisions remembered to classify late and duplicate rewards
 * @param inboxCapacity      decisions and rewards queued for the loop before new ones are dropped
 * @param tick               how often windows are closed and partial batches considered
 * @param maxBatchDelay      a partial batch is learned from once its oldest decision waited this
 *                           long; zero turns time-based flushing off (fixed batch boundaries)
 * @param snapshotEveryUpdates a snapshot is written after this many updates
 * @param snapshotInterval   and at least this often while the policy changes
 * @param learnerNice        the learning thread's nice value: how far it yields the CPU to requests
 */
public record LoopSettings(long maxPendingBytes, int maxRemembered, int inboxCapacity, Duration tick,
                           Duration maxBatchDelay, long snapshotEveryUpdates, Duration snapshotInterval,
                           int learnerNice) {
}
