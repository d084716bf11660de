package io.policyrec.policy;

/**
 * Which regularizer, how strong, and against what.
 *
 * @param targetEntropy when set (nats), lambda follows dual ascent towards this mean entropy
 * @param lambdaStep    the dual-ascent step eta
 * @param previousCount M, the number of earlier policies mixed into the "previous" reference
 * @param previousEvery how many updates apart those earlier policies are remembered (the same in
 *                      the service and the simulation; independent of the snapshot cadence)
 */
public record RegularizerSettings(RegularizerType type, double lambda, ReferenceKind reference,
                                  Double targetEntropy, double lambdaStep, int previousCount, int previousEvery) {

    public static final double DEFAULT_LAMBDA = 0.1;
    public static final double DEFAULT_LAMBDA_STEP = 0.01;
    public static final int DEFAULT_PREVIOUS_COUNT = 5;
    public static final int DEFAULT_PREVIOUS_EVERY = 100;

    /** Earlier policies remembered every {@link #DEFAULT_PREVIOUS_EVERY} updates. */
    public RegularizerSettings(RegularizerType type, double lambda, ReferenceKind reference, Double targetEntropy,
                               double lambdaStep, int previousCount) {
        this(type, lambda, reference, targetEntropy, lambdaStep, previousCount, DEFAULT_PREVIOUS_EVERY);
    }

    public static RegularizerSettings defaults() {
        return new RegularizerSettings(RegularizerType.ENTROPY, DEFAULT_LAMBDA, ReferenceKind.UNIFORM, null,
                DEFAULT_LAMBDA_STEP, DEFAULT_PREVIOUS_COUNT, DEFAULT_PREVIOUS_EVERY);
    }

    public boolean adaptive() {
        return targetEntropy != null;
    }
}
