package io.policyrec.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
