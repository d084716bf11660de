package io.policyrec.loadtest;

import io.policyrec.features.NamedFeatures;
import io.policyrec.learning.PolicyGradientLearner;
import io.policyrec.learning.RewardedDecision;
import io.policyrec.loadtest.bench.BenchSupport;
import io.policyrec.loadtest.bench.NamedFeaturesBenchmark;
import io.policyrec.policy.Context;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.snapshot.JoinState;
import io.policyrec.snapshot.SnapshotChain;
import io.policyrec.snapshot.StoredPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What a policy over hashed named features costs in bytes, for several bucket counts, against the
 * dense 784-input policy: a logged decision of 30 active features; the snapshots a learning policy
 * writes at the default cadence (every 100 updates, or every 10 s when fewer came), as the Redis
 * store writes them ({@link SnapshotChain}: deltas of the one before, whole every few) and as the
 * publisher paces them (its byte budget per policy, on a simulated clock: a snapshot taken before
 * the budget allows is replaced by the next), against writing each whole, at a busy and a quiet
 * traffic; the Redis memory of the 20 versions kept
 * (with the chain the oldest builds on); and the heap of the learner, its served weights and the
 * snapshot the store keeps as the next delta's parent.
 */
final class SizeCommand {
    private SizeCommand() {
    }

    /** Bytes of one logged decision (feedback.kafka.DecisionCodec's layout): fixed part, then the context. */
    static long decisionBytes(Context c, int policyName, int eventId) {
        return 1 + 24 + 2 + policyName + 2 + eventId + 4 + (c.sparse() ? 8L : 4L) * c.size() + 4 + 4 + 12;
    }

    /** A traffic: decisions per second, so contexts learned between two snapshots and seconds between them. */
    record Traffic(String label, int decisionsPerSecond) {
        int contextsPerSnapshot() {
            return Math.min(100 * 100, decisionsPerSecond * 10);
        }

        double secondsPerSnapshot() {
            return (double) contextsPerSnapshot() / decisionsPerSecond;
        }
    }

    static int run(Args args) throws Exception {
        List<Integer> bitsList = args.getList("bits", "16,18,20").stream().map(Integer::parseInt).toList();
        int snapshots = args.getInt("snapshots", 30);
        int warmup = args.getInt("warmup-contexts", 100_000);
        long budget = (long) args.getDouble("max-bytes-per-second", 4_000_000);
        args.checkAllRead();
        SplittableRandom r = new SplittableRandom(1);
        Context named = NamedFeatures.hash(NamedFeaturesBenchmark.visitor(r), "features", 18,
                NamedFeatures.DEFAULT_LIMITS);
        System.out.printf(Locale.ROOT, "decision log record, policy name of 8 and event id of 36 characters: dense 784 "
                + "%,d bytes; named features (%d active) %,d bytes%n%n", decisionBytes(Context.dense(new float[784]), 8, 36),
                named.size(), decisionBytes(named, 8, 36));
        System.out.printf(Locale.ROOT, "Snapshots taken every 100 updates (batch 100) or 10 s; written as deltas (whole "
                + "every %d, or when half the rows changed), at most %,d bytes/s per policy (the publisher's "
                + "default budget); the visitor of the serving benchmark (30 active features: 200 countries, "
                + "5,000 segments, 16 of 100,000 items).%n%n", SnapshotChain.MAX_DEPTH + 1, budget);
        System.out.println("| policy | traffic | snapshot taken every | whole snapshot | median written | written every "
                + "| bytes/s written | bytes/s if each were written whole | state ms (learner) / encode ms (publisher) | Redis, 20 versions kept "
                + "| learner + served + parent heap |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        List<Integer> all = new ArrayList<>();
        all.add(0);
        all.addAll(bitsList);
        for (int bits : all) {
            for (Traffic t : List.of(new Traffic("10,000 decisions/s", 10_000), new Traffic("100 decisions/s", 100))) {
                measure(bits, t, snapshots, warmup, budget, r);
            }
        }
        return 0;
    }

    private static void measure(int bits, Traffic traffic, int snapshots, int warmup, long budget,
                                SplittableRandom r) {
        Runtime rt = Runtime.getRuntime();
        PolicyConfig config = bits == 0 ? BenchSupport.config(100) : BenchSupport.config(100).withFeatureBits(bits);
        System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        PolicyGradientLearner learner = PolicyGradientLearner.create(config, DataType.FLOAT);
        SnapshotChain chain = new SnapshotChain();
        learn(learner, bits, warmup, r);
        long version = 0;
        StoredPolicy last = stored(config, ++version, learner);
        chain.written(last, chain.whole(last));
        List<long[]> writes = new ArrayList<>(); // version, bytes, root
        long stateNanos = 0;
        long nanos = 0;
        double clock = 0;
        double notBefore = 0;
        for (int i = 0; i < snapshots; i++) {
            learn(learner, bits, traffic.contextsPerSnapshot(), r);
            clock += traffic.secondsPerSnapshot();
            long s0 = System.nanoTime();
            last = stored(config, ++version, learner);
            stateNanos += System.nanoTime() - s0;
            if (clock < notBefore) {
                continue; // replaced by the next one before the budget allowed a write
            }
            long t0 = System.nanoTime();
            SnapshotChain.Encoded e = chain.encode(last);
            nanos += System.nanoTime() - t0;
            chain.written(last, e);
            writes.add(new long[] {version, e.bytes().length, e.root()});
            notBefore = clock + (budget > 0 ? (double) e.bytes().length / budget : 0);
        }
        Object served = learner.weights();
        System.gc();
        long heap = rt.totalMemory() - rt.freeMemory() - before;
        long whole = chain.whole(last).bytes().length;
        long written = writes.stream().mapToLong(w -> w[1]).sum();
        long[] sizes = writes.stream().mapToLong(w -> w[1]).sorted().toArray();
        // Retention: the newest 20 written, and the chain back to the root the oldest of them builds on
        // (with fewer than 20 written in the run, their mean size times 20).
        long oldestRoot = writes.get(Math.max(0, writes.size() - 20))[2];
        long redis = writes.stream().filter(w -> w[0] >= oldestRoot).mapToLong(w -> w[1]).sum();
        if (writes.size() < 20) {
            redis = written * 20 / writes.size();
        }
        System.out.printf(Locale.ROOT, "| %s | %s | %.0f s | %,d | %,d | %.1f s | %,.0f | %,.0f | %.0f / %.0f | %,d MB | %,d MB |%n",
                bits == 0 ? "dense 784x32x32x10" : "named, 2^" + bits + " buckets x32x32x10", traffic.label(),
                traffic.secondsPerSnapshot(), whole, sizes[sizes.length / 2], clock / writes.size(), written / clock,
                whole / traffic.secondsPerSnapshot(), stateNanos / 1e6 / snapshots, nanos / 1e6 / writes.size(), redis >> 20, heap >> 20);
        java.lang.ref.Reference.reachabilityFence(served);
        java.lang.ref.Reference.reachabilityFence(chain);
    }

    private static StoredPolicy stored(PolicyConfig config, long version, PolicyGradientLearner learner) {
        return new StoredPolicy("size", 1, config, version, 0, version, 0.0, learner.state(), Map.of(),
                JoinState.EMPTY);
    }

    /** Steps of batch 100 over {@code contexts} visitors (30 active features each), or dense 784 contexts. */
    private static void learn(PolicyGradientLearner learner, int bits, int contexts, SplittableRandom r) {
        for (int done = 0; done < contexts; done += 100) {
            List<RewardedDecision> batch = new ArrayList<>(100);
            for (int i = 0; i < 100; i++) {
                Context c = bits == 0 ? Context.dense(new float[784])
                        : NamedFeatures.hash(NamedFeaturesBenchmark.visitor(r), "features", bits,
                                NamedFeatures.DEFAULT_LIMITS);
                batch.add(new RewardedDecision(c, null, r.nextInt(10), 0.1, r.nextInt(2)));
            }
            learner.step(batch);
        }
    }
}
