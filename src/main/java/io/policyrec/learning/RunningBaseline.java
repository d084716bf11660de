package io.policyrec.learning;

/**
 * A running mean of batch-mean rewards: the exact mean over the first {@value #HORIZON} batches,
 * then an exponential moving average with the same horizon, so that it follows drifting rewards.
 */
public final class RunningBaseline {
    static final int HORIZON = 100;
    private double value;
    private long batches;

    public RunningBaseline() {
    }

    public RunningBaseline(double value, long batches) {
        this.value = value;
        this.batches = batches;
    }

    public double value() {
        return value;
    }

    public long batches() {
        return batches;
    }

    public void add(double batchMeanReward) {
        batches++;
        value += (batchMeanReward - value) / Math.min(batches, HORIZON);
    }
}
