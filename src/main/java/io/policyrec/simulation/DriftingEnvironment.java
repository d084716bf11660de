package io.policyrec.simulation;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * An environment whose preferences change once: after a given number of interactions, which
 * action is right for each context is permuted (every action's rewards move to another action).
 * For classification that permutes which class each action stands for; for Spotify it maps the
 * genres to other tracks. The test set changes with it, so evaluations after the drift measure the
 * new preferences. One instance per run: it counts the contexts it has drawn.
 */
public final class DriftingEnvironment implements BanditEnvironment {
    private final BanditEnvironment base;
    private final long driftAt;
    private final int[] permutation;
    private final List<Sample> driftedTest;
    private long drawn;

    /**
     * @param driftAt interactions (contexts drawn) before preferences change
     * @param seed    chooses the permutation (a derangement: no action keeps its rewards)
     */
    public DriftingEnvironment(BanditEnvironment base, long driftAt, long seed) {
        this.base = base;
        this.driftAt = driftAt;
        this.permutation = derangement(base.actionCount(), new SplittableRandom(seed ^ 0xD21F7L));
        this.driftedTest = new ArrayList<>(base.testSet().size());
        for (Sample s : base.testSet()) {
            driftedTest.add(permute(s));
        }
    }

    /** Action a earns after the drift what action permutation[a] earned before. */
    static int[] derangement(int k, SplittableRandom random) {
        int[] p = new int[k];
        // Sattolo's algorithm: a uniformly random cyclic permutation, so no action is a fixed point.
        for (int i = 0; i < k; i++) {
            p[i] = i;
        }
        for (int i = k - 1; i > 0; i--) {
            int j = random.nextInt(i);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private Sample permute(Sample s) {
        double[] rewards = new double[permutation.length];
        int best = 0;
        for (int a = 0; a < rewards.length; a++) {
            rewards[a] = s.rewards()[permutation[a]];
            if (permutation[a] == s.best()) {
                best = a;
            }
        }
        return new Sample(s.context(), rewards, best);
    }

    public long driftAt() {
        return driftAt;
    }

    /** True once a drifted context was drawn (an evaluation right at the drift point still sees the old test set). */
    public boolean drifted() {
        return drawn > driftAt;
    }

    @Override
    public String name() {
        return base.name();
    }

    @Override
    public int contextDimension() {
        return base.contextDimension();
    }

    @Override
    public int actionCount() {
        return base.actionCount();
    }

    @Override
    public Sample draw(RandomGenerator random) {
        Sample s = base.draw(random);
        return drawn++ >= driftAt ? permute(s) : s;
    }

    @Override
    public List<Sample> testSet() {
        return drifted() ? driftedTest : base.testSet();
    }

    @Override
    public int accuracyTopK() {
        return base.accuracyTopK();
    }

    @Override
    public com.fasterxml.jackson.databind.JsonNode namedContext(float[] context) {
        return base.namedContext(context);
    }
}
