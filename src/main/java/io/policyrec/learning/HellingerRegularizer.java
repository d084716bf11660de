package io.policyrec.learning;

/**
 * Squared Hellinger distance without the 1/2 factor, as the paper's code has it:
 * R = sum_a (sqrt(p_a + 1e-8) - sqrt(r_a))^2. Bounded by 2.
 */
public final class HellingerRegularizer implements Regularizer {
    @Override
    public double value(double[] p, double[] r) {
        double v = 0;
        for (int a = 0; a < p.length; a++) {
            double d = Math.sqrt(p[a] + EPS) - Math.sqrt(r[a]);
            v += d * d;
        }
        return v;
    }

    /** dR/dp_a = (sqrt(p_a + 1e-8) - sqrt(r_a)) / sqrt(p_a + 1e-8). */
    @Override
    public void gradient(double[] p, double[] r, double[] grad) {
        for (int a = 0; a < p.length; a++) {
            double s = Math.sqrt(p[a] + EPS);
            grad[a] = (s - Math.sqrt(r[a])) / s;
        }
    }
}
