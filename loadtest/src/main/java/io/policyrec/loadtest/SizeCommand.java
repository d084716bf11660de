package io.policyrec.loadtest;

import io.policyrec.learning.PolicyGradientLearner;
import io.policyrec.learning.RewardedDecision;
import io.policyrec.loadtest.bench.BenchSupport;
import io.policyrec.loadtest.bench.NamedFeaturesBenchmark;
import io.policyrec.features.NamedFeatures;
import io.policyrec.policy.Context;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.snapshot.JoinState;
import io.policyrec.snapshot.SnapshotCodec;
import io.policyrec.snapshot.StoredPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What a policy over hashed named features costs in bytes, for several bucket counts: its snapshot
 * (written whole today), the heap of its learner and served weights, and a logged decision of 30
 * active features, against the dense 784-input policy.
 */
final class SizeCommand {
    private SizeCommand() {
    }

    /** Bytes of one logged decision (feedback.kafka.DecisionCodec's layout): fixed part, then the context. */
    static long decisionBytes(Context c, int policyName, int eventId) {
        return 1 + 24 + 2 + policyName + 2 + eventId + 4 + (c.sparse() ? 8L : 4L) * c.size() + 4 + 4 + 12;
    }

    static int run(Args args) throws Exception {
        List<Integer> bitsList = args.getList("bits", "16,18,20").stream().map(Integer::parseInt).toList();
        double updatesPerSecond = args.getDouble("updates-per-second", 100);
        args.checkAllRead();
        Runtime rt = Runtime.getRuntime();
        SplittableRandom r = new SplittableRandom(1);
        Context named = NamedFeatures.hash(NamedFeaturesBenchmark.visitor(r), "features", 18,
                NamedFeatures.DEFAULT_LIMITS);
        System.out.printf(Locale.ROOT, "decision log record, policy name of 8 and event id of 36 characters: dense 784 "
                + "%,d bytes; named features (%d active) %,d bytes%n", decisionBytes(Context.dense(new float[784]), 8, 36),
                named.size(), decisionBytes(named, 8, 36));
        System.out.println("| policy | parameters | snapshot bytes | encode ms | bytes/s at every 100 updates, "
                + (long) updatesPerSecond + " updates/s | Redis, 20 versions kept | learner + served heap |");
        System.out.println("|---|---|---|---|---|---|---|");
        List<Integer> all = new ArrayList<>();
        all.add(0);
        all.addAll(bitsList);
        for (int bits : all) {
            PolicyConfig config = bits == 0 ? BenchSupport.config(100) : BenchSupport.config(100).withFeatureBits(bits);
            System.gc();
            long before = rt.totalMemory() - rt.freeMemory();
            PolicyGradientLearner learner = PolicyGradientLearner.create(config, DataType.FLOAT);
            List<RewardedDecision> batch = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Context c = bits == 0 ? Context.dense(new float[784])
                        : NamedFeatures.hash(NamedFeaturesBenchmark.visitor(r), "features", bits,
                                NamedFeatures.DEFAULT_LIMITS);
                batch.add(new RewardedDecision(c, null, i % 10, 0.1, 1.0));
            }
            learner.step(batch);
            Object served = learner.weights();
            System.gc();
            long heap = rt.totalMemory() - rt.freeMemory() - before;
            StoredPolicy s = new StoredPolicy("size", 1, config, 1, 0, 0, 0.0, learner.state(), Map.of(),
                    JoinState.EMPTY);
            long t0 = System.nanoTime();
            byte[] bytes = SnapshotCodec.encode(s);
            double ms = (System.nanoTime() - t0) / 1e6;
            System.out.printf(Locale.ROOT, "| %s | %,d | %,d | %.0f | %,.0f | %,d MB | %,d MB |%n",
                    bits == 0 ? "dense 784x32x32x10" : "named, 2^" + bits + " buckets x32x32x10",
                    config.parameterCount(), bytes.length, ms, bytes.length * updatesPerSecond / 100,
                    (20L * bytes.length) >> 20, heap >> 20);
            java.lang.ref.Reference.reachabilityFence(served);
            java.lang.ref.Reference.reachabilityFence(learner);
        }
        return 0;
    }
}
