package io.policyrec.policy;

/**
 * Which regularizer, how strong, and against what.
 *
 * @param lambda             the regularizer weight (its starting value when adaptive)
 * @param targetEntropy      when set (nats), lambda follows dual ascent towards this mean entropy
 * @param lambdaStep         the dual-ascent step eta
 * @param previousCount      M, the number of earlier policies mixed into the "previous" reference
 * @param previousEvery      how many updates apart those earlier policies are remembered (the same
 *                           in the service and the simulation; independent of the snapshot cadence)
 * @param targetEntropyRatio when set, lambda follows dual ascent towards this share of the largest
 *                           possible entropy, log K: one value serves any number of actions
 * @param lambdaMax          the largest lambda dual ascent may reach (keeps it bounded)
 */
public record RegularizerSettings(RegularizerType type, double lambda, ReferenceKind reference,
                                  Double targetEntropy, double lambdaStep, int previousCount, int previousEvery,
                                  Double targetEntropyRatio, double lambdaMax) {

    public static final double DEFAULT_LAMBDA = 0.1;
    public static final double DEFAULT_LAMBDA_STEP = 0.01;
    public static final int DEFAULT_PREVIOUS_COUNT = 5;
    public static final int DEFAULT_PREVIOUS_EVERY = 100;
    public static final double DEFAULT_LAMBDA_MAX = 10.0;

    /**
     * The regularizer of a policy created without one: entropy with lambda adapted towards a share
     * of log K. The values were chosen by measurement (README, "The default policy"): 0.8 is the
     * lowest share measured that keeps every one of Spotify's 50 tracks in use (0.7 keeps about 43).
     * Policies stored with another share keep theirs: the snapshot holds the resolved config.
     */
    public static final double DEFAULT_TARGET_RATIO = 0.8;
    public static final double DEFAULT_ADAPTIVE_STEP = 0.005;

    /**
     * The share of log(candidates) a policy over action features aims at by default. Lower than
     * {@link #DEFAULT_TARGET_RATIO}: measured on Spotify's tracks as actions (5 seeds, 100,000
     * interactions; loadtest/RESULTS.md), 0.8 keeps all 50 tracks in use but puts the best track
     * among the five most probable for only 0.75 of the contexts; 0.5 reaches 0.90 with 38 tracks,
     * 0.4 0.95 with 29. Ranking the candidates a request brings is what such a policy is for.
     */
    public static final double DEFAULT_CANDIDATE_TARGET_RATIO = 0.4;

    /**
     * The regularizer a policy over action features gets by default: Jensen-Shannon against the
     * uniform distribution over the request's candidates, not entropy. Measured on Spotify's tracks
     * with half of them replaced after 100,000 interactions (10 seeds, both adapted towards 0.4 of
     * log K; README, "Actions described by features"): JS ranked the best track in the top five
     * for 0.954 of the contexts with 34 tracks in use, and every seed was back within 0.03 of that
     * within 2,000 interactions of the change; entropy 0.942 with 32 tracks, and one seed in ten
     * stayed 0.05 to 0.10 below for the 20,000 interactions measured. Chosen by that measurement,
     * not derived; other divergences at the same share: Hellinger 0.956 but not back in every
     * seed, TV 0.923, MMD 0.905 (5 seeds).
     */
    public static final RegularizerType DEFAULT_CANDIDATE_REGULARIZER = RegularizerType.JS;

    /** Fixed lambda, earlier policies every {@link #DEFAULT_PREVIOUS_EVERY} updates. */
    public RegularizerSettings(RegularizerType type, double lambda, ReferenceKind reference, Double targetEntropy,
                               double lambdaStep, int previousCount) {
        this(type, lambda, reference, targetEntropy, lambdaStep, previousCount, DEFAULT_PREVIOUS_EVERY, null,
                DEFAULT_LAMBDA_MAX);
    }

    /** What a regularizer given without its fields is: entropy, fixed lambda 0.1. */
    public static RegularizerSettings defaults() {
        return new RegularizerSettings(RegularizerType.ENTROPY, DEFAULT_LAMBDA, ReferenceKind.UNIFORM, null,
                DEFAULT_LAMBDA_STEP, DEFAULT_PREVIOUS_COUNT, DEFAULT_PREVIOUS_EVERY, null, DEFAULT_LAMBDA_MAX);
    }

    /** What a policy created without a regularizer gets: entropy, adapted towards a share of log K. */
    public static RegularizerSettings adaptiveDefault() {
        return new RegularizerSettings(RegularizerType.ENTROPY, DEFAULT_LAMBDA, ReferenceKind.UNIFORM, null,
                DEFAULT_ADAPTIVE_STEP, DEFAULT_PREVIOUS_COUNT, DEFAULT_PREVIOUS_EVERY, DEFAULT_TARGET_RATIO,
                DEFAULT_LAMBDA_MAX);
    }

    /**
     * What a policy over action features created without a regularizer gets (see
     * {@link #DEFAULT_CANDIDATE_REGULARIZER} and {@link #DEFAULT_CANDIDATE_TARGET_RATIO}).
     */
    public static RegularizerSettings candidateDefault() {
        return new RegularizerSettings(DEFAULT_CANDIDATE_REGULARIZER, DEFAULT_LAMBDA, ReferenceKind.UNIFORM, null,
                DEFAULT_ADAPTIVE_STEP, DEFAULT_PREVIOUS_COUNT, DEFAULT_PREVIOUS_EVERY, DEFAULT_CANDIDATE_TARGET_RATIO,
                DEFAULT_LAMBDA_MAX);
    }

    public boolean adaptive() {
        return targetEntropy != null || targetEntropyRatio != null;
    }

    /** The mean entropy dual ascent aims at for K actions, in nats. */
    public double target(int actions) {
        return targetEntropy != null ? targetEntropy : targetEntropyRatio * Math.log(actions);
    }
}
