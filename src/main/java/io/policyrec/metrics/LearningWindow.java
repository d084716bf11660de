package io.policyrec.metrics;

import io.policyrec.policy.Decision;

/**
 * The last decisions one policy was learned from, with their rewards: for the mean-reward gauge
 * and the off-policy value estimates. Written by the learner thread only; read by the scrape.
 */
public final class LearningWindow {
    private final double[] rewards;
    private final Decision[] decisions;
    private long count;
    private volatile long written;

    public LearningWindow(int size) {
        this.rewards = new double[size];
        this.decisions = new Decision[size];
    }

    /** Learner thread only. */
    public void applied(Decision decision, double reward) {
        int slot = (int) (count % rewards.length);
        rewards[slot] = reward;
        decisions[slot] = decision;
        count++;
        written = count;
    }

    public int size() {
        return (int) Math.min(written, rewards.length);
    }

    public double meanReward() {
        int n = size();
        if (n == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += rewards[i];
        }
        return sum / n;
    }

    /** A copy of the window's decisions and rewards (for the estimates, off the learner thread). */
    public Snapshot copy() {
        int n = size();
        Decision[] d = new Decision[n];
        double[] r = new double[n];
        System.arraycopy(decisions, 0, d, 0, n);
        System.arraycopy(rewards, 0, r, 0, n);
        return new Snapshot(d, r);
    }

    /** Decisions with their rewards. */
    public record Snapshot(Decision[] decisions, double[] rewards) {
    }
}
