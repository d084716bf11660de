package io.policyrec.policy;

/**
 * The value with which a candidate's feature enters its score, and how a bucket's scale learns:
 * the one rule serving ({@link CandidateWeights}) and learning ({@code TwoTowerLearner}) share.
 *
 * <p>A candidate's feature x in bucket r enters as {@code w(x) - w(0)}, with
 * {@code w(v) = clamp((v - mean) / s, -3, 3)}: mean is the decision's mean of the bucket over all
 * its candidates (a candidate without the feature counts 0), s the bucket's scale, a running mean
 * of |x - mean| over the candidates that have the feature ({@link #spread}). Inside the window two
 * candidates differ by (x_a - x_b) / s, so the feature enters by its spread across the candidates,
 * not by its magnitude; the shift by w(0) is the same for every candidate, and the softmax does not
 * see it. An item feature is mostly offset (a tempo of 120 +- 30 beats, a price of 12,999 +- 100):
 * divided by its largest magnitude, as a context feature is, its differences between candidates
 * shrank to a few hundredths, and divided by its largest deviation they were set by one outlier.
 *
 * <p>Measured on Spotify's tracks (20 seeds, the default policy; {@code experiment --data
 * spotify-tracks}): greedy reward right after half of the tracks are replaced by unseen ones fell
 * by 0.025 from before with the largest magnitude, by 0.014 with the largest deviation and a
 * window of 1, by 0.005 with the mean deviation as here and a window of 3. Summing the deviations
 * in float instead of double gave 0.008: a change of rounding alone moves these figures by that
 * much. With a mean over the last thousand values instead, the window at 3 gave 0.005, at 6 0.010,
 * and at 2 0.005 but with top-5 0.92 against 0.94. The window keeps an unseen item far out from
 * taking every draw; a value of 0 enters as 0, as an absent feature does.
 */
public final class ActionValues {
    /** Scales either side of the decision's mean within which a value enters as it is. */
    static final float WINDOW = 3f;
    /** The share of the way to a batch's mean deviation a scale moves on a refreshing step. */
    static final float SPREAD_RATE = 0.2f;
    /**
     * Scales move on one step in this many ({@link #refreshes}); a bucket without a scale gets one
     * at any step. Served weights share the learner's scale array until a step writes it, and the
     * array holds every bucket (1.5 MB at 2^18 context buckets), so moving scales at every step
     * copied it at every publish.
     */
    static final long REFRESH_EVERY = 100;

    private ActionValues() {
    }

    /** The value of x in a bucket of scale s whose decision mean is mean: w(x) - w(0); 0 while s is 0. */
    public static float of(float x, float mean, float scale) {
        float inverse = inverse(scale);
        return of(x, mean, inverse, atZero(mean, inverse));
    }

    /**
     * As {@link #of(float, float, float)}, with 1 / s ({@link #inverse}) and w(0) ({@link #atZero})
     * taken once per bucket and decision: scoring and learning read many candidates per bucket.
     */
    public static float of(float x, float mean, float inverseScale, float atZero) {
        return inverseScale != 0f ? window(x, mean, inverseScale) - atZero : 0f;
    }

    /** 1 / s for a scale above 0; 0 for a bucket without one (its features enter as 0). */
    public static float inverse(float scale) {
        return scale > 0f ? 1f / scale : 0f;
    }

    /** w(0) for a bucket of this mean and 1 / s (0 without a scale). */
    public static float atZero(float mean, float inverseScale) {
        return inverseScale != 0f ? window(0f, mean, inverseScale) : 0f;
    }

    private static float window(float v, float mean, float inverseScale) {
        return Math.max(-WINDOW, Math.min(WINDOW, (v - mean) * inverseScale));
    }

    /** Whether the step numbered {@code step} (from 0) moves the scales buckets have already. */
    public static boolean refreshes(long step) {
        return step % REFRESH_EVERY == 0;
    }

    /**
     * A bucket's scale after a step whose decisions, where their candidates differ in it, had a
     * mean |x - mean| of {@code deviation}: that deviation for a bucket without a scale, else
     * {@link #SPREAD_RATE} of the way towards it. Unchanged by a deviation that is not finite or
     * below the smallest normal float (its inverse would overflow).
     */
    public static float spread(float scale, float deviation) {
        if (!(deviation >= Float.MIN_NORMAL) || deviation == Float.POSITIVE_INFINITY) {
            return scale;
        }
        return scale == 0f ? deviation : scale + SPREAD_RATE * (deviation - scale);
    }
}
