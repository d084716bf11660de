package io.policyrec.loadtest;

import java.util.List;

/** Mean and 95% confidence half-width over seeds (Student t). */
public record Stats(double mean, double halfWidth, int n) {
    private static final double[] T975 = {Double.NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
        2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086};

    public static Stats of(List<Double> values) {
        int n = values.size();
        double mean = values.stream().mapToDouble(Double::doubleValue).sum() / n;
        if (n < 2) {
            return new Stats(mean, Double.NaN, n);
        }
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(ss / (n - 1));
        double t = n - 1 < T975.length ? T975[n - 1] : 1.96;
        return new Stats(mean, t * sd / Math.sqrt(n), n);
    }

    public String format(String pattern) {
        String m = String.format(java.util.Locale.ROOT, pattern, mean);
        return Double.isNaN(halfWidth) ? m : m + " ± " + String.format(java.util.Locale.ROOT, pattern, halfWidth);
    }
}
