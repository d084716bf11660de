package io.policyrec.learning;

/**
 * What one gradient step saw and did; {@code applied} is false when the batch was consumed but
 * the step skipped (a non-finite loss or an absurd gradient), so the weights did not change.
 */
public record StepReport(long updates, int batchSize, double loss, double meanEntropy, double meanReward,
                         double baseline, double lambda, boolean applied) {
}
