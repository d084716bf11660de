package io.policyrec.learning;

import io.policyrec.policy.PolicyWeights;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The policy network's parameters in one flat ND4J vector, with per-layer views into it: an MLP
 * with ReLU hidden layers and a linear output whose softmax is the policy.
 */
public final class PolicyNetwork {
    private final NetworkLayout layout;
    private final DataType dataType;
    private final INDArray params;
    private final INDArray[] weights;
    private final INDArray[] biases;

    private PolicyNetwork(NetworkLayout layout, DataType dataType, INDArray params) {
        this.layout = layout;
        this.dataType = dataType;
        this.params = params;
        this.weights = new INDArray[layout.layers()];
        this.biases = new INDArray[layout.layers()];
        for (int l = 0; l < layout.layers(); l++) {
            weights[l] = weightView(params, layout, l);
            biases[l] = biasView(params, layout, l);
        }
    }

    /**
     * Glorot-uniform weights (limit sqrt(6 / (in + out))) and zero biases, as Keras' Dense layers
     * the paper used, drawn from the seed so that the same seed gives the same network.
     */
    public static double[] initialParams(int[] widths, long seed) {
        return initialParams(widths, seed, false);
    }

    /**
     * How many inputs a hashed first layer is initialized as if it had: Glorot over 2^bits rows
     * would start each row near zero, when only the rows a context names are ever summed. Measured
     * (default policy, 16 bits, 3 seeds, greedy reward against the dense network): 32 gave
     * Fashion-MNIST 0.775 (dense 0.794) and Spotify 0.946 (0.944); 128: 0.782 and 0.937; 256: 0.792
     * and 0.934; 784: 0.793 and 0.929. 256 keeps both within 0.01.
     */
    static final int HASHED_FAN_IN = 256;

    /** As above; a hashed first layer draws its rows as if it had {@link #HASHED_FAN_IN} inputs. */
    public static double[] initialParams(int[] widths, long seed, boolean hashedInput) {
        return draw(widths, seed, hashedInput, 0);
    }

    /**
     * What {@link #initialParams} draws after a hashed first layer's rows (its bias, then the later
     * layers), without holding the rows: 2^20 rows x 32 would be 268 MB of doubles.
     */
    static double[] initialParamsAfterHashedTable(int[] widths, long seed) {
        return draw(widths, seed, true, widths[0] * widths[1]);
    }

    /**
     * A hashed first layer's rows as {@link #initialParams} draws them (its first rows x width
     * numbers), as floats, row-major: what a row is until a step changes it, so that snapshots keep
     * only the changed rows and a restore draws the others again.
     */
    public static float[] initialHashedTable(int[] widths, long seed) {
        float[] table = new float[widths[0] * widths[1]];
        SplittableRandom random = new SplittableRandom(seed);
        double limit = Math.sqrt(6.0 / (HASHED_FAN_IN + widths[1]));
        for (int i = 0; i < table.length; i++) {
            table[i] = (float) ((2 * random.nextDouble() - 1) * limit);
        }
        return table;
    }

    /** The flat initial parameters from index {@code skip} on (the numbers before it are drawn and dropped). */
    private static double[] draw(int[] widths, long seed, boolean hashedInput, int skip) {
        NetworkLayout layout = NetworkLayout.of(widths);
        double[] flat = new double[(int) layout.size() - skip];
        SplittableRandom random = new SplittableRandom(seed);
        for (int l = 0; l < layout.layers(); l++) {
            int fanIn = l == 0 && hashedInput ? HASHED_FAN_IN : layout.in(l);
            double limit = Math.sqrt(6.0 / (fanIn + layout.out(l)));
            int start = (int) layout.weightOffsets()[l];
            int end = (int) layout.biasOffsets()[l];
            for (int i = start; i < end; i++) {
                double v = (2 * random.nextDouble() - 1) * limit;
                if (i >= skip) {
                    flat[i - skip] = v;
                }
            }
        }
        return flat;
    }

    public static PolicyNetwork fromFlat(int[] widths, double[] flat, DataType dataType) {
        Nd4jRuntime.ensureStarted();
        NetworkLayout layout = NetworkLayout.of(widths);
        if (flat.length != layout.size()) {
            throw new IllegalArgumentException("expected " + layout.size() + " parameters, got " + flat.length);
        }
        INDArray params = Nd4j.create(dataType, 1, layout.size());
        NativeBuffers.put(params, flat);
        return new PolicyNetwork(layout, dataType, params);
    }

    static INDArray weightView(INDArray flat, NetworkLayout layout, int l) {
        long start = layout.weightOffsets()[l];
        return flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(start, layout.biasOffsets()[l]))
                .reshape('c', layout.in(l), layout.out(l));
    }

    static INDArray biasView(INDArray flat, NetworkLayout layout, int l) {
        long start = layout.biasOffsets()[l];
        return flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(start, start + layout.out(l)));
    }

    public NetworkLayout layout() {
        return layout;
    }

    public DataType dataType() {
        return dataType;
    }

    /** The flat parameter vector (live: the optimizer updates it in place). */
    public INDArray params() {
        return params;
    }

    public INDArray weights(int layer) {
        return weights[layer];
    }

    public INDArray bias(int layer) {
        return biases[layer];
    }

    public double[] paramsAsDoubles() {
        return NativeBuffers.doubles(params);
    }

    public float[] paramsAsFloats() {
        return NativeBuffers.floats(params);
    }

    /** An immutable copy for the request path. */
    public PolicyWeights toWeights() {
        return PolicyWeights.fromFlat(layout.widths(), paramsAsFloats());
    }
}
