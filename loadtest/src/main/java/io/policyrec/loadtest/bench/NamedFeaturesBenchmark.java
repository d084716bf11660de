package io.policyrec.loadtest.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.policyrec.features.NamedFeatures;
import io.policyrec.learning.PolicyGradientLearner;
import io.policyrec.learning.RewardedDecision;
import io.policyrec.learning.StepReport;
import io.policyrec.policy.ActionDistribution;
import io.policyrec.policy.ActionSampler;
import io.policyrec.policy.Context;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.PolicyWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A policy over hashed named features (10 actions, 32x32 hidden): one decision from 30 active
 * features (hashing the JSON included, and from the hashed context alone), and one learning step
 * at batch 100 with 30 active features per context (alone, and with the copy-on-write publish of
 * the weights that follows every step in the service).
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-XX:+UseTransparentHugePages"}) // as the Dockerfile runs the service
public class NamedFeaturesBenchmark {
    static final int ACTIVE = 30;
    static final int MANY = 100_000;

    @Param({"18"})
    int bits;

    PolicyWeights weights;
    PolicyGradientLearner learner;
    JsonNode[] requests;
    Context[] contexts;
    /** As many visitors as a shop sees in a while: their rows cannot all stay in cache. */
    Context[] manyContexts;
    List<List<RewardedDecision>> batches;
    int next;

    /** A shop visitor with 30 features: strings, numbers, a bag of segments. */
    public static JsonNode visitor(SplittableRandom r) {
        ObjectNode o = person(r, 10);
        ObjectNode history = o.putObject("history");
        for (int i = 0; i < ACTIVE - 14; i++) {
            history.put("item" + r.nextInt(100_000), r.nextInt(5) + 1);
        }
        return o;
    }

    /** Country, device, hour, age and a bag of this many segments: 4 + segments features. */
    public static ObjectNode person(SplittableRandom r, int segments) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("country", "C" + r.nextInt(200));
        o.put("device", r.nextBoolean() ? "mobile" : "desktop");
        o.put("hour", r.nextInt(24));
        o.put("age", 18 + r.nextInt(60));
        var bag = o.putArray("segments");
        for (int i = 0; i < segments; i++) {
            bag.add("s" + r.nextInt(5000));
        }
        return o;
    }

    @Setup
    public void setup() {
        PolicyConfig config = BenchSupport.config(100).withFeatureBits(bits);
        learner = PolicyGradientLearner.create(config, DataType.FLOAT);
        weights = learner.weights();
        SplittableRandom r = new SplittableRandom(1);
        requests = new JsonNode[1000];
        contexts = new Context[requests.length];
        for (int i = 0; i < requests.length; i++) {
            requests[i] = visitor(r);
            contexts[i] = NamedFeatures.hash(requests[i], "features", bits, NamedFeatures.DEFAULT_LIMITS);
        }
        // From a stream of their own: the other benchmarks' contexts and batches stay as they were.
        SplittableRandom many = new SplittableRandom(2);
        manyContexts = new Context[MANY];
        for (int i = 0; i < manyContexts.length; i++) {
            manyContexts[i] = NamedFeatures.hash(visitor(many), "features", bits, NamedFeatures.DEFAULT_LIMITS);
        }
        batches = new ArrayList<>();
        for (int b = 0; b < 16; b++) {
            List<RewardedDecision> batch = new ArrayList<>(100);
            for (int i = 0; i < 100; i++) {
                batch.add(new RewardedDecision(contexts[r.nextInt(contexts.length)], null, r.nextInt(10), 0.1,
                        r.nextBoolean() ? 1.0 : -1.0 / 9));
            }
            batches.add(batch);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int decideNamed() {
        return decide(contexts[next++ % contexts.length]);
    }

    /**
     * As {@link #decideNamed} over 100,000 visitors, not 1,000, as a shop sees them: their rows
     * cannot all stay in cache.
     */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int decideNamedManyVisitors() {
        return decide(manyContexts[next++ % manyContexts.length]);
    }

    /** One decision from a hashed context: forward pass and sampling, as a request makes it. */
    private int decide(Context c) {
        double[] q = ActionDistribution.of(weights.logits(c), null, 0.0);
        return ActionSampler.draw(q, null, 1, ThreadLocalRandom.current()).first();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int hashAndDecideNamed() {
        return decide(NamedFeatures.hash(requests[next++ % requests.length], "features", bits,
                NamedFeatures.DEFAULT_LIMITS));
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public StepReport stepNamed() {
        return learner.step(batches.get(next++ % batches.size()));
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public PolicyWeights stepAndPublishNamed() {
        learner.step(batches.get(next++ % batches.size()));
        return learner.weights();
    }
}
