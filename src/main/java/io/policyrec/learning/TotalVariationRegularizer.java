package io.policyrec.learning;

/**
 * The paper's "total variation", an L-infinity distance: R = max_a |p_a - r_a|. Its (sub)gradient
 * reaches only the action where the gap is largest.
 */
public final class TotalVariationRegularizer implements Regularizer {
    @Override
    public double value(double[] p, double[] r) {
        int a = argmax(p, r);
        return Math.abs(p[a] - r[a]);
    }

    /** dR/dp_a = sign(p_a* - r_a*) for a = a* = argmax_a |p_a - r_a|, 0 elsewhere. */
    @Override
    public void gradient(double[] p, double[] r, double[] grad) {
        java.util.Arrays.fill(grad, 0.0);
        int a = argmax(p, r);
        grad[a] = Math.signum(p[a] - r[a]);
    }

    private static int argmax(double[] p, double[] r) {
        int best = 0;
        double gap = -1;
        for (int a = 0; a < p.length; a++) {
            double g = Math.abs(p[a] - r[a]);
            if (g > gap) {
                gap = g;
                best = a;
            }
        }
        return best;
    }
}
