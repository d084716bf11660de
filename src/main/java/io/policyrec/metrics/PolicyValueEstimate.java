package io.policyrec.metrics;

/**
 * Off-policy estimates of a target policy's value from logged decisions (action, logged
 * probability, reward), given the target's probability of each logged action:
 * IPS = mean_i(r_i w_i) and self-normalized IPS = sum_i(r_i w_i) / sum_i(w_i), w_i = pi(a_i|x_i) / p_i.
 */
public record PolicyValueEstimate(double ips, double snips, int n) {

    public static PolicyValueEstimate of(double[] rewards, double[] targetProbabilities, double[] loggedProbabilities,
                                         int n) {
        if (n == 0) {
            return new PolicyValueEstimate(Double.NaN, Double.NaN, 0);
        }
        double weighted = 0;
        double weights = 0;
        for (int i = 0; i < n; i++) {
            double w = loggedProbabilities[i] > 0 ? targetProbabilities[i] / loggedProbabilities[i] : 0;
            weighted += rewards[i] * w;
            weights += w;
        }
        return new PolicyValueEstimate(weighted / n, weights == 0 ? Double.NaN : weighted / weights, n);
    }
}
