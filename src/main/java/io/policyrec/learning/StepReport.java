package io.policyrec.learning;

/** What one gradient step saw and did. */
public record StepReport(long updates, int batchSize, double loss, double meanEntropy, double meanReward,
                         double baseline, double lambda) {
}
