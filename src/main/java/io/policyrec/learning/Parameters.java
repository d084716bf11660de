package io.policyrec.learning;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The learner's master copy of its flat parameter vector, in the network's precision (float for
 * the service, double for gradient checks), mirrored into the ND4J array the matrix products read.
 */
final class Parameters {
    private final float[] floats;
    private final double[] doubles;
    private final float[] floatGradient;
    private final double[] doubleGradient;

    private Parameters(float[] floats, double[] doubles) {
        this.floats = floats;
        this.doubles = doubles;
        this.floatGradient = floats == null ? null : new float[floats.length];
        this.doubleGradient = doubles == null ? null : new double[doubles.length];
    }

    static Parameters of(double[] values, DataType dataType) {
        if (dataType == DataType.FLOAT) {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) values[i];
            }
            return new Parameters(f, null);
        }
        return new Parameters(null, values.clone());
    }

    boolean single() {
        return floats != null;
    }

    int length() {
        return floats != null ? floats.length : doubles.length;
    }

    double get(int i) {
        return floats != null ? floats[i] : doubles[i];
    }

    float[] toFloats() {
        if (floats != null) {
            return floats.clone();
        }
        float[] f = new float[doubles.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) doubles[i];
        }
        return f;
    }

    /** Exact for both precisions (every float is a double). */
    double[] toDoubles() {
        if (doubles != null) {
            return doubles.clone();
        }
        double[] d = new double[floats.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = floats[i];
        }
        return d;
    }

    void set(double[] values) {
        for (int i = 0; i < values.length; i++) {
            if (floats != null) {
                floats[i] = (float) values[i];
            } else {
                doubles[i] = values[i];
            }
        }
    }

    /**
     * One Adam step from a gradient whose weight parts the matrix products left in an ND4J array
     * and whose bias parts come from Java (written here rather than element by element there).
     */
    void step(AdamOptimizer adam, INDArray weightGradient, NetworkLayout layout, double[][] biasGradients,
              long iteration) {
        pullGradient(weightGradient, layout, biasGradients);
        if (floats != null) {
            adam.apply(floats, floatGradient, iteration);
        } else {
            adam.apply(doubles, doubleGradient, iteration);
        }
    }

    /** The whole gradient, assembled as for {@link #step}. */
    double[] gradient(INDArray weightGradient, NetworkLayout layout, double[][] biasGradients) {
        pullGradient(weightGradient, layout, biasGradients);
        if (floats == null) {
            return doubleGradient.clone();
        }
        double[] g = new double[floatGradient.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = floatGradient[i];
        }
        return g;
    }

    private void pullGradient(INDArray weightGradient, NetworkLayout layout, double[][] biasGradients) {
        if (floats != null) {
            NativeBuffers.get(weightGradient, floatGradient);
        } else {
            NativeBuffers.read(weightGradient, doubleGradient, null);
        }
        for (int l = 0; l < biasGradients.length; l++) {
            int offset = (int) layout.biasOffsets()[l];
            double[] bias = biasGradients[l];
            for (int j = 0; j < bias.length; j++) {
                if (floats != null) {
                    floatGradient[offset + j] = (float) bias[j];
                } else {
                    doubleGradient[offset + j] = bias[j];
                }
            }
        }
    }

    void copyTo(INDArray target) {
        if (floats != null) {
            NativeBuffers.put(target, floats);
        } else {
            NativeBuffers.put(target, doubles);
        }
    }
}
