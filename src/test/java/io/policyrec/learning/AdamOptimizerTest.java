package io.policyrec.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;

/** Our Adam loop against ND4J's Adam updater: same updates, same state, over many iterations. */
class AdamOptimizerTest {

    @Test
    void matchesNd4jAdamUpdaterStepForStep() {
        Nd4jRuntime.ensureStarted();
        int n = 1000;
        Random random = new Random(5);
        double[] params = new double[n];
        for (int i = 0; i < n; i++) {
            params[i] = random.nextGaussian();
        }
        INDArray nd4jParams = Nd4j.create(DataType.DOUBLE, 1, n);
        NativeBuffers.put(nd4jParams, params);
        INDArray state = Nd4j.create(DataType.DOUBLE, 1, 2 * n);
        GradientUpdater reference = new Adam(0.003).instantiate(state, true);
        AdamOptimizer ours = AdamOptimizer.forDoubles(0.003, n);

        for (int iteration = 0; iteration < 50; iteration++) {
            double[] gradient = new double[n];
            for (int i = 0; i < n; i++) {
                gradient[i] = random.nextGaussian() * (i % 7 == 0 ? 0 : 1);
            }
            INDArray g = Nd4j.create(DataType.DOUBLE, 1, n);
            NativeBuffers.put(g, gradient);
            reference.applyUpdater(g, iteration, 0);
            nd4jParams.subi(g);
            ours.apply(params, gradient, iteration);
        }
        double[] expected = NativeBuffers.doubles(nd4jParams);
        double[] expectedState = NativeBuffers.doubles(state);
        double[] ourState = ours.state();
        for (int i = 0; i < n; i++) {
            assertEquals(expected[i], params[i], 1e-12, "parameter " + i);
        }
        for (int i = 0; i < 2 * n; i++) {
            assertEquals(expectedState[i], ourState[i], 1e-12, "state " + i);
        }
    }

    @Test
    void singlePrecisionMatchesNd4jOnFloatArrays() {
        Nd4jRuntime.ensureStarted();
        int n = 1000;
        Random random = new Random(6);
        float[] params = new float[n];
        for (int i = 0; i < n; i++) {
            params[i] = (float) random.nextGaussian();
        }
        INDArray nd4jParams = Nd4j.create(DataType.FLOAT, 1, n);
        NativeBuffers.put(nd4jParams, params);
        GradientUpdater reference = new Adam(0.003).instantiate(Nd4j.create(DataType.FLOAT, 1, 2 * n), true);
        AdamOptimizer ours = AdamOptimizer.forFloats(0.003, n);
        for (int iteration = 0; iteration < 50; iteration++) {
            float[] gradient = new float[n];
            for (int i = 0; i < n; i++) {
                gradient[i] = (float) random.nextGaussian();
            }
            INDArray g = Nd4j.create(DataType.FLOAT, 1, n);
            NativeBuffers.put(g, gradient);
            reference.applyUpdater(g, iteration, 0);
            nd4jParams.subi(g);
            ours.apply(params, gradient, iteration);
        }
        float[] expected = NativeBuffers.floats(nd4jParams);
        for (int i = 0; i < n; i++) {
            assertEquals(expected[i], params[i], 1e-5 * Math.max(1, Math.abs(expected[i])), "parameter " + i);
        }
    }

    /**
     * A weight whose gradient stays zero has its moments decay geometrically into the subnormal
     * floats, where they stay and every operation on them is slow ({@code AdamOptimizer.FLUSH}).
     * The update flushes them, and no weight may change for it.
     */
    @Test
    void momentsDecayToZeroWithoutPassingThroughSubnormalsAndTheWeightsAreUnchanged() {
        int n = 64;
        Random random = new Random(7);
        float[] params = new float[n];
        float[] reference = new float[n];
        float[] m = new float[n];
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            params[i] = reference[i] = (float) random.nextGaussian();
        }
        AdamOptimizer ours = AdamOptimizer.forFloats(0.003, n);
        int subnormalM = 0;
        int subnormalV = 0;
        float[] gradient = new float[n];
        for (int iteration = 0; iteration < 100_000; iteration++) {
            for (int i = 0; i < n; i++) {
                // Half of the weights stop getting a gradient after 10 steps.
                gradient[i] = i % 2 == 0 && iteration >= 10 ? 0f : (float) random.nextGaussian();
            }
            ours.apply(params, gradient, iteration);
            unflushed(reference, gradient, m, v, (float) AdamOptimizer.stepSize(0.003, iteration));
            double[] state = ours.state();
            for (int i = 0; i < n; i += 2) {
                subnormalM += subnormal((float) state[i]) ? 1 : 0;
                subnormalV += subnormal((float) state[n + i]) ? 1 : 0;
            }
        }
        assertEquals(0, subnormalM, "subnormal first moments seen");
        assertEquals(0, subnormalV, "subnormal second moments seen");
        double[] state = ours.state();
        for (int i = 0; i < n; i += 2) {
            // As written, 0.9 times the least subnormal rounds to itself: the moment never leaves.
            assertTrue(subnormal(m[i]), "the unflushed first moment of " + i + " stays subnormal");
            // Flushed, it settles on a few rounding steps of the flush (2^-93) or 0, where the update stays normal.
            float idle = (float) state[i];
            assertTrue(Math.abs(idle) <= 4 * 0x1p-93f, "the first moment of " + i + ": " + idle);
            // The update as the loop computes it: stepSize * m first, then the division.
            float scaled = (float) AdamOptimizer.stepSize(0.003, 99_999) * idle;
            float update = scaled / ((float) Math.sqrt(state[n + i]) + 1e-8f);
            assertTrue(idle == 0 || !subnormal(scaled) && !subnormal(update),
                    "the update of " + i + " passes through a subnormal: " + scaled + ", " + update);
        }
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToIntBits(reference[i]), Float.floatToIntBits(params[i]), "weight " + i);
        }
    }

    private static boolean subnormal(float x) {
        return x != 0 && Math.abs(x) < Float.MIN_NORMAL;
    }

    /** Adam's float update as written, without flushing. */
    private static void unflushed(float[] w, float[] g, float[] m, float[] v, float stepSize) {
        for (int i = 0; i < w.length; i++) {
            m[i] = 0.9f * m[i] + (float) (1.0 - 0.9) * g[i];
            v[i] = 0.999f * v[i] + (float) (1.0 - 0.999) * g[i] * g[i];
            w[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) + 1e-8f);
        }
    }
}
