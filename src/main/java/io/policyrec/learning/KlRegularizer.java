package io.policyrec.learning;

/**
 * Kullback-Leibler divergence to the reference: R = sum_a p_a (log(p_a + 1e-8) - log r_a).
 * Against the uniform distribution this is log K - H(p): the entropy regularizer shifted by a
 * constant, with the same gradient. Unbounded as r_a goes to 0, so it is never used to push away
 * from earlier policies.
 */
public final class KlRegularizer implements Regularizer {
    @Override
    public double value(double[] p, double[] r) {
        double v = 0;
        for (int a = 0; a < p.length; a++) {
            v += p[a] * (Math.log(p[a] + EPS) - Math.log(r[a] + EPS));
        }
        return v;
    }

    /** dR/dp_a = log(p_a + 1e-8) + p_a / (p_a + 1e-8) - log r_a. */
    @Override
    public void gradient(double[] p, double[] r, double[] grad) {
        for (int a = 0; a < p.length; a++) {
            grad[a] = Math.log(p[a] + EPS) + p[a] / (p[a] + EPS) - Math.log(r[a] + EPS);
        }
    }
}
