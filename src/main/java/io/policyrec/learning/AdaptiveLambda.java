package io.policyrec.learning;

/**
 * Dual ascent on the regularizer weight towards a target mean entropy (beyond the paper, which
 * leaves lambda to a per-data-set search): lambda <- clamp(lambda + eta (target - H(batch)), 0, max).
 * Entropy below the target raises lambda; above it, lambda decays towards 0. The upper bound keeps
 * a target the policy cannot reach (every action equally good) from growing lambda without end.
 */
public final class AdaptiveLambda {
    private AdaptiveLambda() {
    }

    public static double next(double lambda, double eta, double targetEntropy, double meanEntropy, double max) {
        return Math.min(max, Math.max(0.0, lambda + eta * (targetEntropy - meanEntropy)));
    }
}
