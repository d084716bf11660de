package io.policyrec.policy;

/**
 * Which regularizer, how strong, and against what.
 *
 * @param targetEntropy when set (nats), lambda follows dual ascent towards this mean entropy
 * @param lambdaStep    the dual-ascent step eta
 * @param previousCount M, the number of earlier snapshots mixed into the "previous" reference
 */
public record RegularizerSettings(RegularizerType type, double lambda, ReferenceKind reference,
                                  Double targetEntropy, double lambdaStep, int previousCount) {

    public static final double DEFAULT_LAMBDA = 0.1;
    public static final double DEFAULT_LAMBDA_STEP = 0.01;
    public static final int DEFAULT_PREVIOUS_COUNT = 5;

    public static RegularizerSettings defaults() {
        return new RegularizerSettings(RegularizerType.ENTROPY, DEFAULT_LAMBDA, ReferenceKind.UNIFORM, null,
                DEFAULT_LAMBDA_STEP, DEFAULT_PREVIOUS_COUNT);
    }

    public boolean adaptive() {
        return targetEntropy != null;
    }
}
