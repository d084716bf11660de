package io.policyrec.learning;

/**
 * Dual ascent on the regularizer weight towards a target mean entropy (beyond the paper, which
 * leaves lambda to a per-data-set search): lambda <- max(0, lambda + eta (target - H(batch))).
 * Entropy below the target raises lambda; above it, lambda decays towards 0.
 */
public final class AdaptiveLambda {
    private AdaptiveLambda() {
    }

    public static double next(double lambda, double eta, double targetEntropy, double meanEntropy) {
        return Math.max(0.0, lambda + eta * (targetEntropy - meanEntropy));
    }
}
