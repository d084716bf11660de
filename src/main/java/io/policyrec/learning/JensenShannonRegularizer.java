package io.policyrec.learning;

/**
 * Jensen-Shannon, as the paper's code has it (twice the JS divergence): with m = (p + r) / 2,
 * R = KL(p || m) + KL(r || m) = sum_a [p_a log((p_a + e)/(m_a + e)) + r_a log((r_a + e)/(m_a + e))],
 * e = 1e-8. Bounded by 2 log 2.
 */
public final class JensenShannonRegularizer implements Regularizer {
    @Override
    public double value(double[] p, double[] r) {
        double v = 0;
        for (int a = 0; a < p.length; a++) {
            double m = 0.5 * (p[a] + r[a]);
            v += p[a] * Math.log((p[a] + EPS) / (m + EPS)) + r[a] * Math.log((r[a] + EPS) / (m + EPS));
        }
        return v;
    }

    /**
     * dR/dp_a = log((p_a + e)/(m_a + e)) + p_a/(p_a + e) - (p_a + r_a) / (2 (m_a + e))
     *         = log((p_a + e)/(m_a + e)) + p_a/(p_a + e) - m_a/(m_a + e).
     */
    @Override
    public void gradient(double[] p, double[] r, double[] grad) {
        for (int a = 0; a < p.length; a++) {
            double m = 0.5 * (p[a] + r[a]);
            grad[a] = Math.log((p[a] + EPS) / (m + EPS)) + p[a] / (p[a] + EPS) - m / (m + EPS);
        }
    }
}
