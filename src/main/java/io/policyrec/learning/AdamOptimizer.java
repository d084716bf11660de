package io.policyrec.learning;

/**
 * Adam over the flat parameter vector, with the exact arithmetic of ND4J's {@code AdamUpdater}
 * (same defaults, same bias correction, same [m | v] state layout), which a test checks it against.
 *
 * <p>Why not ND4J's own: measured here, its native Adam op takes about 340 us per step on the
 * 26,506 parameters of a 784x32x32x10 network (about 13 ns a parameter: it evaluates pow() for
 * every element), 60% of a whole learning step; this loop, which the JIT vectorizes, takes about
 * 30 us.
 *
 * <pre>
 * m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
 * theta -= lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps),   t = iteration + 1
 * </pre>
 */
public final class AdamOptimizer {
    public static final double BETA1 = 0.9;
    public static final double BETA2 = 0.999;
    public static final double EPSILON = 1e-8;

    private final double learningRate;
    private final double[] m;
    private final double[] v;

    public AdamOptimizer(double learningRate, int size) {
        this(learningRate, new double[size], new double[size]);
    }

    public AdamOptimizer(double learningRate, double[] m, double[] v) {
        this.learningRate = learningRate;
        this.m = m;
        this.v = v;
    }

    /** State as ND4J lays it out: first moments, then second moments. */
    public double[] state() {
        double[] s = new double[2 * m.length];
        System.arraycopy(m, 0, s, 0, m.length);
        System.arraycopy(v, 0, s, m.length, v.length);
        return s;
    }

    public static AdamOptimizer fromState(double learningRate, double[] state) {
        int n = state.length / 2;
        double[] m = new double[n];
        double[] v = new double[n];
        System.arraycopy(state, 0, m, 0, n);
        System.arraycopy(state, n, v, 0, n);
        return new AdamOptimizer(learningRate, m, v);
    }

    /** Applies one update for the given 0-based iteration to params, in place. */
    public void apply(double[] params, double[] gradient, long iteration) {
        double t = iteration + 1;
        double beta1t = Math.pow(BETA1, t);
        double beta2t = Math.pow(BETA2, t);
        double stepSize = learningRate * Math.sqrt(1.0 - beta2t) / (1.0 - beta1t);
        if (Double.isNaN(stepSize) || stepSize == 0) {
            stepSize = EPSILON;
        }
        double[] mm = m;
        double[] vv = v;
        for (int i = 0; i < params.length; i++) {
            double g = gradient[i];
            double mi = BETA1 * mm[i] + (1.0 - BETA1) * g;
            double vi = BETA2 * vv[i] + (1.0 - BETA2) * g * g;
            mm[i] = mi;
            vv[i] = vi;
            params[i] -= stepSize * mi / (Math.sqrt(vi) + EPSILON);
        }
    }
}
