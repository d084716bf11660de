package io.policyrec.metrics;

/** Arithmetic of the action-share gauges, on a vector of shares that sums to 1 (or is all 0). */
public final class ActionStats {
    private ActionStats() {
    }

    /** Actions with share >= threshold. */
    public static int inUse(double[] shares, double threshold) {
        int n = 0;
        for (double s : shares) {
            if (s >= threshold && s > 0) {
                n++;
            }
        }
        return n;
    }

    /** exp of the entropy of the action marginal: K when uniform, 1 when a single action is drawn. */
    public static double effective(double[] shares) {
        double h = 0;
        double total = 0;
        for (double s : shares) {
            total += s;
            if (s > 0) {
                h -= s * Math.log(s);
            }
        }
        return total == 0 ? Double.NaN : Math.exp(h);
    }

    public static double top(double[] shares) {
        double top = 0;
        for (double s : shares) {
            top = Math.max(top, s);
        }
        return top;
    }

}
