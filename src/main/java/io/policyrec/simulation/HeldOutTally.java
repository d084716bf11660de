package io.policyrec.simulation;

import java.util.List;
import java.util.Set;

/**
 * The figures of one evaluation of a policy over Spotify's tracks on held-out contexts, summed
 * context by context: greedy reward, whether the best track is among the five ranked first,
 * expected reward and entropy of the distribution, each track's share of it (tracks in use), and
 * the share that goes to tracks added by a catalog swap. One tally for our policy
 * ({@link CatalogExperiment}) and for a peer measured side by side (loadtest's VW), so that both
 * are counted the same way.
 */
public final class HeldOutTally {
    private final List<SpotifyCatalog.Track> served;
    private final Set<String> added;
    private final double[] shares;
    private double greedy;
    private double top;
    private double expected;
    private double entropy;
    private double newShare;
    private double best;
    private int contexts;

    /** @param added ids of the tracks a swap brought in (empty before one) */
    public HeldOutTally(List<SpotifyCatalog.Track> served, Set<String> added) {
        this.served = served;
        this.added = added;
        this.shares = new double[served.size()];
    }

    /**
     * One context: the distribution over the served tracks, the track the policy ranks first, and
     * whether the context's best track is among the five it ranks first.
     */
    public void add(SpotifyCatalog.Sample sample, double[] p, int first, boolean bestInTopFive) {
        greedy += sample.rewards()[first];
        best += sample.rewards()[sample.best()];
        top += bestInTopFive ? 1 : 0;
        for (int a = 0; a < p.length; a++) {
            expected += p[a] * sample.rewards()[a];
            shares[a] += p[a];
            if (p[a] > 0) {
                entropy -= p[a] * Math.log(p[a]);
            }
            if (added.contains(served.get(a).id())) {
                newShare += p[a];
            }
        }
        contexts++;
    }

    public double greedyReward() {
        return greedy / contexts;
    }

    public double topFive() {
        return top / contexts;
    }

    public double expectedReward() {
        return expected / contexts;
    }

    public double entropy() {
        return entropy / contexts;
    }

    public double newShare() {
        return newShare / contexts;
    }

    /** The mean reward of each context's best track: what greedy reward can reach. */
    public double bestReward() {
        return best / contexts;
    }

    /** Tracks with at least {@link Evaluation#IN_USE_SHARE} of the probability, averaged over the contexts. */
    public int tracksUsed() {
        int used = 0;
        for (double share : shares) {
            used += share / contexts >= Evaluation.IN_USE_SHARE ? 1 : 0;
        }
        return used;
    }
}
