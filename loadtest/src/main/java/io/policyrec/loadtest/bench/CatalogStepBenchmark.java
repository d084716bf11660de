package io.policyrec.loadtest.bench;

import io.policyrec.features.FeatureHash;
import io.policyrec.features.NamedFeatures;
import io.policyrec.learning.RewardedDecision;
import io.policyrec.learning.TwoTowerLearner;
import io.policyrec.policy.Candidate;
import io.policyrec.policy.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One learning step at batch 100 of a policy over action features (as {@link CandidateBenchmark}'s)
 * where each decision brings 50 items of its own, drawn from a catalog of 100,000, as a shop's
 * requests (and {@code loadtest http --candidates}) bring them: about 5,000 distinct items per step,
 * each with its own identity row and a brand of 1,000, where {@code stepOverFiftyCandidates} steps
 * over the same 50 items every time. What the serving instance's learner spends per decision.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-XX:+UseTransparentHugePages"}) // as the Dockerfile runs the service
public class CatalogStepBenchmark {
    static final int CATALOG = 100_000;

    TwoTowerLearner learner;
    List<List<RewardedDecision>> batches;
    int next;

    @Setup
    public void setup() {
        learner = CandidateBenchmark.newLearner();
        SplittableRandom r = new SplittableRandom(3);
        Candidate[] catalog = new Candidate[CATALOG];
        for (int a = 0; a < CATALOG; a++) {
            catalog[a] = CandidateBenchmark.LAYOUT.candidate(FeatureHash.bucket("item-" + a, 16),
                    NamedFeatures.hash(CandidateBenchmark.item(r), "actions", 16, NamedFeatures.DEFAULT_LIMITS));
        }
        batches = new ArrayList<>();
        for (int b = 0; b < 32; b++) {
            List<RewardedDecision> batch = new ArrayList<>(100);
            for (int i = 0; i < 100; i++) {
                Context user = NamedFeatures.hash(CandidateBenchmark.user(r), "features", 18,
                        NamedFeatures.DEFAULT_LIMITS);
                Candidate[] offered = new Candidate[50];
                for (int a = 0; a < offered.length; a++) {
                    offered[a] = catalog[r.nextInt(CATALOG)];
                }
                batch.add(new RewardedDecision(user, null, r.nextInt(offered.length), 1.0 / offered.length,
                        r.nextBoolean() ? 1.0 : 0.0, offered));
            }
            batches.add(batch);
        }
        // Weights away from the start (the action tower starts at zero).
        for (int i = 0; i < 20; i++) {
            learner.step(batches.get(i % batches.size()));
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Object stepOverFiftyOfACatalog() {
        return learner.step(batches.get(next++ % batches.size()));
    }
}
