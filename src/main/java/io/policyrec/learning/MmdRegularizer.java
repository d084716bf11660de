package io.policyrec.learning;

/**
 * Maximum mean discrepancy between p and r over the actions with the paper's kernel
 * k(a, a') = exp(-2 / gamma^2 * [a != a']), gamma = 1.414: k = 1 on the diagonal and c = exp(-2/gamma^2)
 * (about e^-1) off it. Half the squared MMD is (p - r)^T K (p - r) / 2 with K = c 11^T + (1 - c) I;
 * since p and r both sum to 1 the 11^T part vanishes, leaving the exact closed form
 * R = (1 - c)/2 * sum_a (p_a - r_a)^2, whose gradient is the paper's.
 */
public final class MmdRegularizer implements Regularizer {
    public static final double GAMMA = 1.414;
    static final double OFF_DIAGONAL = Math.exp(-2.0 / (GAMMA * GAMMA));

    @Override
    public double value(double[] p, double[] r) {
        double v = 0;
        for (int a = 0; a < p.length; a++) {
            double d = p[a] - r[a];
            v += d * d;
        }
        return 0.5 * (1 - OFF_DIAGONAL) * v;
    }

    /** dR/dp_a = (1 - c) (p_a - r_a). */
    @Override
    public void gradient(double[] p, double[] r, double[] grad) {
        for (int a = 0; a < p.length; a++) {
            grad[a] = (1 - OFF_DIAGONAL) * (p[a] - r[a]);
        }
    }
}
