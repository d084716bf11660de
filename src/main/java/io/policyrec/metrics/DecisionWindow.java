package io.policyrec.metrics;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The last W decisions of one policy as the gauges need them: the entropy of the distribution
 * each was drawn from and the action drawn. Written by request threads without locks or
 * allocation (one slot each, claimed by an atomic counter); read by the scrape. A slot being
 * overwritten while read makes a gauge off by one decision, which is fine for a gauge.
 */
public final class DecisionWindow {
    private final double[] entropy;
    /** Each decision's number of actions (or candidates): its entropy's largest value is log of it. */
    private final int[] choices;
    private final int[] action;
    /** A policy over action features: the id of the candidate drawn (a reference kept, nothing made). */
    private final String[] drawnId;
    private final AtomicLong count = new AtomicLong();
    private final int actions;
    // Plain, not volatile: written on every decision, read only by tests of the window.
    private long lastDecisionAt;

    public DecisionWindow(int size, int actions) {
        this.entropy = new double[size];
        this.choices = new int[size];
        this.action = new int[size];
        this.drawnId = new String[size];
        this.actions = actions;
    }

    /** A decision drawn from a distribution over k actions (or candidates) with this entropy. */
    public void record(double entropyNats, int k, int drawn, long time) {
        int slot = (int) (count.getAndIncrement() % entropy.length);
        entropy[slot] = entropyNats;
        choices[slot] = k;
        action[slot] = drawn;
        lastDecisionAt = time;
    }

    /** A decision among candidates, drawn from a distribution over k of them, that drew this id. */
    public void recordAmong(double entropyNats, int k, String id, long time) {
        int slot = (int) (count.getAndIncrement() % entropy.length);
        entropy[slot] = entropyNats;
        choices[slot] = k;
        action[slot] = -1;
        drawnId[slot] = id;
        lastDecisionAt = time;
    }

    public long lastDecisionAt() {
        return lastDecisionAt;
    }

    public int actions() {
        return actions;
    }

    /** Decisions in the window. */
    public int size() {
        return (int) Math.min(count.get(), entropy.length);
    }

    /** Mean entropy in nats of the served distributions in the window (NaN when empty). */
    public double meanEntropy() {
        int n = size();
        if (n == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += entropy[i];
        }
        return sum / n;
    }

    /** Mean over the window of each decision's entropy over log k: 0 collapsed, 1 uniform (NaN when empty). */
    public double meanEntropyRatio() {
        int n = size();
        if (n == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += choices[i] > 1 ? entropy[i] / Math.log(choices[i]) : 0;
        }
        return sum / n;
    }

    /**
     * How many of the window's decisions among candidates drew each id (a candidate's index is per
     * request and means nothing across decisions).
     */
    public java.util.Map<String, Integer> drawnIdCounts() {
        int n = size();
        java.util.Map<String, Integer> counts = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) {
            if (drawnId[i] != null) {
                counts.merge(drawnId[i], 1, Integer::sum);
            }
        }
        return counts;
    }

    /** Mean number of actions (or candidates) per decision in the window (NaN when empty). */
    public double meanChoices() {
        int n = size();
        if (n == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += choices[i];
        }
        return sum / n;
    }

    /** Share of the window's decisions that drew each action. */
    public double[] shares() {
        int n = size();
        double[] shares = new double[actions];
        if (n == 0) {
            return shares;
        }
        for (int i = 0; i < n; i++) {
            int a = action[i];
            if (a >= 0 && a < actions) {
                shares[a]++;
            }
        }
        for (int a = 0; a < actions; a++) {
            shares[a] /= n;
        }
        return shares;
    }
}
