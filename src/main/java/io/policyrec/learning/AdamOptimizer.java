package io.policyrec.learning;

/**
 * Adam over the flat parameter vector, with the arithmetic of ND4J's {@code AdamUpdater} (same
 * defaults, same bias correction, same [m | v] state layout), which a test checks it against, in
 * single precision for the service's float networks and in double precision for gradient checks.
 *
 * <p>Why not ND4J's own: measured here, its native Adam op takes about 340 us per step on the
 * 26,506 parameters of a 784x32x32x10 network (about 13 ns a parameter: it evaluates pow() for
 * every element), more than half of a whole learning step; the float loop below, which the JIT
 * vectorizes, takes about 8 us.
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
    private final float[] mf;
    private final float[] vf;

    private AdamOptimizer(double learningRate, double[] m, double[] v, float[] mf, float[] vf) {
        this.learningRate = learningRate;
        this.m = m;
        this.v = v;
        this.mf = mf;
        this.vf = vf;
    }

    public static AdamOptimizer forDoubles(double learningRate, int size) {
        return new AdamOptimizer(learningRate, new double[size], new double[size], null, null);
    }

    public static AdamOptimizer forFloats(double learningRate, int size) {
        return new AdamOptimizer(learningRate, null, null, new float[size], new float[size]);
    }

    /** Restores from {@link #state()}. */
    public static AdamOptimizer fromState(double learningRate, double[] state, boolean floats) {
        int n = state.length / 2;
        if (floats) {
            float[] m = new float[n];
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                m[i] = (float) state[i];
                v[i] = (float) state[n + i];
            }
            return new AdamOptimizer(learningRate, null, null, m, v);
        }
        double[] m = new double[n];
        double[] v = new double[n];
        System.arraycopy(state, 0, m, 0, n);
        System.arraycopy(state, n, v, 0, n);
        return new AdamOptimizer(learningRate, m, v, null, null);
    }

    /** State as ND4J lays it out: first moments, then second moments (exact for both precisions). */
    public double[] state() {
        int n = m != null ? m.length : mf.length;
        double[] s = new double[2 * n];
        for (int i = 0; i < n; i++) {
            s[i] = m != null ? m[i] : mf[i];
            s[n + i] = v != null ? v[i] : vf[i];
        }
        return s;
    }

    /** One update for the given 0-based iteration, in place, in double precision. */
    public void apply(double[] params, double[] gradient, long iteration) {
        double stepSize = stepSize(iteration);
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

    /** One update in single precision (all float, so that the loop vectorizes). */
    public void apply(float[] params, float[] gradient, long iteration) {
        apply(params, gradient, mf, vf, params.length, (float) stepSize(learningRate, iteration));
    }

    /**
     * What flushes the moments: {@code (x + F) - F}. A weight whose gradient stays zero (a unit that
     * no longer fires, a hashed row's column no feature feeds) has its moments decay by 0.9 and
     * 0.999 a step towards the subnormal floats. As written they get there and stay (0.9 times the
     * least subnormal rounds back to it), and before that the update's {@code stepSize * m} is
     * subnormal already. Every operation with a subnormal result or operand takes a microcode
     * assist: this loop took 10-16 ns an element on them against 0.55-0.65 ns on normal floats, and
     * in a named-features learner (NamedFeaturesBenchmark's batches, 2^16 buckets) it went from
     * 0.7 ns to 5 ns an element over 4,000 steps (12% of the first moments below 1e-30), about a
     * third of the step.
     *
     * <p>{@code (x + F) - F} is x for |x| >= 2^-45 (about 3e-14) and for |x| < 2^-46 down to F, and
     * rounds the rest (a tie in [2^-46, 2^-45), smaller values to a multiple of 2^-93 or 2^-94), so
     * an idle moment settles on a few such steps or 0 (0.9 k 2^-93 rounds back to k 2^-93 for k < 5,
     * v at up to 500 of them). F is chosen so that the update stays normal from there: stepSize * m
     * / (sqrt(v) + eps) >= 2^-94 * 2^-22 / 2^7 = 2^-123 for learning rates down to about 1e-6 and
     * sqrt(v) up to 128. What the rounding changes moves no weight of ordinary size (AdamOptimizerTest
     * compares the weights bit for bit with the update as written). Branch-free, so the loop still
     * vectorizes (a conditional does not: 2.5-3 ns an element).
     */
    private static final float FLUSH = 0x1p-70f;

    /**
     * The single-precision update of the first n values of four distinct arrays, all read at the
     * same index, which is what lets the JIT vectorize it (sqrt and division included): a hashed
     * layer gathers its touched rows into such arrays rather than updating them where they lie.
     */
    static void apply(float[] params, float[] gradient, float[] mm, float[] vv, int n, float stepSize) {
        float b1 = (float) BETA1;
        float b2 = (float) BETA2;
        float c1 = (float) (1.0 - BETA1);
        float c2 = (float) (1.0 - BETA2);
        float eps = (float) EPSILON;
        float flush = FLUSH;
        for (int i = 0; i < n; i++) {
            float g = gradient[i];
            float mi = (b1 * mm[i] + c1 * g + flush) - flush;
            float vi = (b2 * vv[i] + c2 * g * g + flush) - flush;
            mm[i] = mi;
            vv[i] = vi;
            params[i] -= stepSize * mi / ((float) Math.sqrt(vi) + eps);
        }
    }


    private double stepSize(long iteration) {
        return stepSize(learningRate, iteration);
    }

    /** Adam's bias-corrected step size at a 0-based iteration. */
    static double stepSize(double learningRate, long iteration) {
        double t = iteration + 1;
        double stepSize = learningRate * Math.sqrt(1.0 - Math.pow(BETA2, t)) / (1.0 - Math.pow(BETA1, t));
        return Double.isNaN(stepSize) || stepSize == 0 ? EPSILON : stepSize;
    }
}
