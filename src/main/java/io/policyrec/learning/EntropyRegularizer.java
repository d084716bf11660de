package io.policyrec.learning;

/**
 * Negative entropy: R = sum_a p_a log(p_a + 1e-8). Adding lambda * R to the loss maximizes the
 * entropy of the policy. It has no reference distribution.
 */
public final class EntropyRegularizer implements Regularizer {
    @Override
    public double value(double[] p, double[] r) {
        double v = 0;
        for (double pa : p) {
            v += pa * Math.log(pa + EPS);
        }
        return v;
    }

    /** dR/dp_a = log(p_a + 1e-8) + p_a / (p_a + 1e-8). */
    @Override
    public void gradient(double[] p, double[] r, double[] grad) {
        for (int a = 0; a < p.length; a++) {
            grad[a] = Math.log(p[a] + EPS) + p[a] / (p[a] + EPS);
        }
    }
}
