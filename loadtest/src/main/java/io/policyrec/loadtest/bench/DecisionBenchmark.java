package io.policyrec.loadtest.bench;

import io.policyrec.learning.PolicyGradientLearner;
import io.policyrec.policy.ActionDistribution;
import io.policyrec.policy.ActionSampler;
import io.policyrec.policy.PolicyWeights;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One decision in process, as /recommend makes it: forward pass of the 784x32x32x10 policy over one
 * context, softmax, draw. Against it, the same forward pass as one ND4J call per layer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DecisionBenchmark {
    PolicyWeights weights;
    float[][] contexts;
    INDArray[] nd4jWeights;
    INDArray nd4jInput;
    int next;

    @Setup
    public void setup() {
        PolicyGradientLearner learner = PolicyGradientLearner.create(BenchSupport.config(100), DataType.FLOAT);
        weights = learner.weights();
        contexts = BenchSupport.contexts(1000);
        nd4jWeights = new INDArray[weights.layers()];
        int in = weights.inputs();
        for (int l = 0; l < weights.layers(); l++) {
            int out = l + 1 < weights.layers() ? 32 : weights.outputs();
            float[] flat = new float[in * out];
            for (int i = 0; i < in; i++) {
                for (int j = 0; j < out; j++) {
                    flat[i * out + j] = weights.weight(l, i, j);
                }
            }
            nd4jWeights[l] = Nd4j.create(flat, new long[] {in, out}, DataType.FLOAT);
            in = out;
        }
        nd4jInput = Nd4j.create(DataType.FLOAT, 1, 784);
    }

    @Benchmark
    public int decide() {
        float[] x = contexts[next++ % contexts.length];
        double[] q = ActionDistribution.of(weights.logits(x), null, 0.0);
        return ActionSampler.draw(q, null, 1, ThreadLocalRandom.current()).first();
    }

    @Benchmark
    public INDArray nd4jForwardOneRow() {
        float[] x = contexts[next++ % contexts.length];
        INDArray a = Nd4j.create(x, new long[] {1, 784}, DataType.FLOAT);
        for (INDArray w : nd4jWeights) {
            a = a.mmul(w);
        }
        return a;
    }
}
