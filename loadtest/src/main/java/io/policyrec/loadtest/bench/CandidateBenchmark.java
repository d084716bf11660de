package io.policyrec.loadtest.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.policyrec.features.FeatureHash;
import io.policyrec.features.NamedFeatures;
import io.policyrec.learning.RewardedDecision;
import io.policyrec.learning.TwoTowerLearner;
import io.policyrec.policy.ActionDistribution;
import io.policyrec.policy.ActionSampler;
import io.policyrec.policy.BaselineKind;
import io.policyrec.policy.Candidate;
import io.policyrec.policy.CandidateLayout;
import io.policyrec.policy.CandidateWeights;
import io.policyrec.policy.Context;
import io.policyrec.policy.RegularizerSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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
 * A policy over action features (towers 32 wide, 2^18 context and 2^16 action buckets): one
 * decision over n candidates with 20 context and 10 action features each, from hashed features
 * and with the candidates' JSON hashed first (as a request that brings its candidates costs), and
 * one learning step at batch 100 over 50 candidates.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-XX:+UseTransparentHugePages"}) // as the Dockerfile runs the service
public class CandidateBenchmark {
    static final CandidateLayout LAYOUT = new CandidateLayout(18, 16);
    @Param({"50", "1000"})
    int candidates;

    CandidateWeights weights;
    TwoTowerLearner learner;
    Context[] contexts;
    Candidate[] pool;
    JsonNode[] poolJson;
    String[] poolIds;
    List<List<RewardedDecision>> batches;
    double[] scores;
    int next;

    /** A visitor with 20 features. */
    public static JsonNode user(SplittableRandom r) {
        return NamedFeaturesBenchmark.person(r, 16);
    }

    public static JsonNode item(SplittableRandom r) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("category", "c" + r.nextInt(100));
        o.put("brand", "b" + r.nextInt(1000));
        o.put("price", 1 + r.nextInt(100_000));
        for (int i = 0; i < 7; i++) {
            o.put("f" + i, r.nextDouble());
        }
        return o;
    }

    /** The learner these benchmarks step: towers 32 wide over 2^18 context and 2^16 action buckets. */
    static TwoTowerLearner newLearner() {
        return TwoTowerLearner.create(new TwoTowerLearner.Settings(18, 16, 32, 0.003,
                RegularizerSettings.candidateDefault(), BaselineKind.MEAN, 10.0, 1));
    }

    @Setup
    public void setup() {
        learner = newLearner();
        SplittableRandom r = new SplittableRandom(1);
        contexts = new Context[1000];
        for (int i = 0; i < contexts.length; i++) {
            contexts[i] = NamedFeatures.hash(user(r), "features", 18, NamedFeatures.DEFAULT_LIMITS);
        }
        pool = new Candidate[candidates];
        poolJson = new JsonNode[candidates];
        poolIds = new String[candidates];
        for (int a = 0; a < candidates; a++) {
            poolJson[a] = item(r);
            poolIds[a] = "item-" + a;
            pool[a] = LAYOUT.candidate(FeatureHash.bucket(poolIds[a], 16),
                    NamedFeatures.hash(poolJson[a], "actions", 16, NamedFeatures.DEFAULT_LIMITS));
        }
        Candidate[] fifty = java.util.Arrays.copyOf(pool, Math.min(50, candidates));
        batches = new ArrayList<>();
        for (int b = 0; b < 16; b++) {
            List<RewardedDecision> batch = new ArrayList<>(100);
            for (int i = 0; i < 100; i++) {
                batch.add(new RewardedDecision(contexts[r.nextInt(contexts.length)], null, r.nextInt(fifty.length),
                        1.0 / fifty.length, r.nextBoolean() ? 1.0 : 0.0, fifty));
            }
            batches.add(batch);
        }
        // Weights away from the start (the action tower starts at zero).
        for (int i = 0; i < 20; i++) {
            learner.step(batches.get(i % batches.size()));
        }
        weights = learner.weights();
        scores = new double[candidates];
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int decideCandidates() {
        return decide(pool);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int hashAndDecideCandidates() {
        Candidate[] hashed = new Candidate[candidates];
        for (int a = 0; a < candidates; a++) {
            hashed[a] = LAYOUT.candidate(FeatureHash.bucket(poolIds[a], 16),
                    NamedFeatures.hash(poolJson[a], "actions", 16, NamedFeatures.DEFAULT_LIMITS));
        }
        return decide(hashed);
    }

    /** Scores, the distribution, a draw: one decision over these candidates. */
    private int decide(Candidate[] offered) {
        weights.scores(contexts[next++ % contexts.length], offered, scores);
        double[] q = ActionDistribution.of(scores, null, 0.0);
        return ActionSampler.draw(q, null, 1, ThreadLocalRandom.current()).first();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Object stepOverFiftyCandidates() {
        return learner.step(batches.get(next++ % batches.size()));
    }
}
