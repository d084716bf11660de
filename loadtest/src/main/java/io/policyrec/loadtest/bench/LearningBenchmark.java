package io.policyrec.loadtest.bench;

import io.policyrec.learning.PolicyGradientLearner;
import io.policyrec.learning.RewardedDecision;
import io.policyrec.learning.StepReport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One learning step (forward, entropy-regularized policy gradient, backward, Adam) on a batch of
 * 784-float contexts. Contexts per second = steps per second x batch.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LearningBenchmark {
    @Param({"64", "100"})
    int batch;

    PolicyGradientLearner learner;
    List<List<RewardedDecision>> batches;
    int next;

    @Setup
    public void setup() {
        learner = PolicyGradientLearner.create(BenchSupport.config(batch), DataType.FLOAT);
        float[][] contexts = BenchSupport.contexts(2000);
        batches = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            batches.add(BenchSupport.batch(contexts, batch, i));
        }
    }

    @Benchmark
    public StepReport step() {
        return learner.step(batches.get(next++ % batches.size()));
    }
}
