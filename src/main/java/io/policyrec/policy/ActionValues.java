package io.policyrec.policy;

/**
 * The value with which a candidate's feature enters its score, and how a bucket's scale learns:
 * the one rule serving ({@link CandidateWeights}) and learning ({@code TwoTowerLearner}) share.
 *
 * <p>A candidate's feature x in bucket r enters as {@code w(x) - w(0)}, with
 * {@code w(v) = clamp((v - mean) / s, -3, 3)}: mean is the decision's mean of the bucket over all
 * its candidates (a candidate without the feature counts 0), s the bucket's scale, a running mean
 * of |x - mean| over the values it has learned from ({@link #spread}, on one step in 100). Inside the window two
 * candidates differ by (x_a - x_b) / s, so the feature enters by its spread across the candidates,
 * not by its magnitude; the shift by w(0) is the same for every candidate, and the softmax does not
 * see it. An item feature is mostly offset (a tempo of 120 +- 30 beats, a price of 12,999 +- 100):
 * divided by its largest magnitude, as a context feature is, its differences between candidates
 * shrank to a few hundredths, and divided by its largest deviation they were set by one outlier.
 * Measured on Spotify's tracks (20 seeds, the default policy; {@code experiment --data
 * spotify-tracks}), greedy reward right after half of the tracks are replaced by unseen ones fell by
 * 0.025 from before with the largest magnitude, by 0.014 with the largest deviation and a window
 * of 1, by 0.005 with the running mean deviation and a window of 3 (0.010 with 6, 0.005 with 2
 * but top-5 0.92 against 0.94). The window keeps an unseen item far out from taking every draw; a
 * value of 0 enters as 0, as an absent feature does.
 */
public final class ActionValues {
    /** Scales either side of the decision's mean within which a value enters as it is. */
    static final float WINDOW = 3f;
    /**
     * The share of its distance by which each value moves its bucket's scale: a mean over about the
     * last 1,000 (from 10,000 to 100 measured the same on Spotify).
     */
    static final float SPREAD_RATE = 0.001f;
    /**
     * Scales move on one step in this many ({@link #refreshes}); a bucket's first deviation sets its
     * scale at any step. Served weights share the learner's scale array until a step writes it, and
     * the array holds every bucket (1.5 MB at 2^18 context buckets), so moving scales at every step
     * copied it at every publish.
     */
    static final long REFRESH_EVERY = 100;

    private ActionValues() {
    }

    /** The value of x in a bucket of scale s whose decision mean is mean: w(x) - w(0); 0 while s is 0. */
    public static float of(float x, float mean, float scale) {
        if (!(scale > 0f)) {
            return 0f;
        }
        return window(x, mean, scale) - window(0f, mean, scale);
    }

    private static float window(float v, float mean, float scale) {
        return Math.max(-WINDOW, Math.min(WINDOW, (v - mean) / scale));
    }

    /** Whether the step numbered {@code step} (from 0) moves the scales learned already. */
    public static boolean refreshes(long step) {
        return step % REFRESH_EVERY == 0;
    }

    /**
     * A bucket's scale after learning from one candidate's |x - mean|: the first deviation sets
     * it, each later one (on a refreshing step) moves it by {@link #SPREAD_RATE} of the way. A candidate at the mean (all
     * candidates alike) says nothing of the spread and leaves it, so that a feature that rarely
     * differs keeps its scale instead of decaying towards 0.
     */
    public static float spread(float scale, float deviation) {
        if (!(deviation > 0f) || deviation == Float.POSITIVE_INFINITY) {
            return scale;
        }
        return scale == 0f ? deviation : scale + SPREAD_RATE * (deviation - scale);
    }
}
