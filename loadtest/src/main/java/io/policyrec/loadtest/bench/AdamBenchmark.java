package io.policyrec.loadtest.bench;

import io.policyrec.learning.AdamOptimizer;
import io.policyrec.learning.Nd4jRuntime;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** One Adam update of the 26,506 parameters of a 784x32x32x10 network: ND4J's updater and ours. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AdamBenchmark {
    static final int N = 26_506;
    INDArray gradient;
    INDArray params;
    GradientUpdater nd4j;
    AdamOptimizer ours;
    float[] javaParams;
    float[] javaGradient;
    int iteration;

    @Setup
    public void setup() {
        Nd4jRuntime.ensureStarted();
        SplittableRandom r = new SplittableRandom(1);
        javaParams = new float[N];
        javaGradient = new float[N];
        for (int i = 0; i < N; i++) {
            javaGradient[i] = (float) (r.nextGaussian() * 1e-3);
        }
        float[] g = javaGradient.clone();
        gradient = Nd4j.create(g, new long[] {1, N}, DataType.FLOAT);
        params = Nd4j.create(DataType.FLOAT, 1, N);
        nd4j = new Adam(0.001).instantiate(Nd4j.create(DataType.FLOAT, 1, 2 * N), true);
        ours = AdamOptimizer.forFloats(0.001, N);
    }

    @Benchmark
    public INDArray nd4jAdamUpdater() {
        INDArray g = gradient.dup();
        nd4j.applyUpdater(g, iteration++, 0);
        return params.subi(g);
    }

    @Benchmark
    public float[] javaAdam() {
        ours.apply(javaParams, javaGradient, iteration++);
        return javaParams;
    }
}
