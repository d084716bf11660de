package io.policyrec.loadtest;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.policyrec.feedback.LearningLoop;
import io.policyrec.feedback.LoopSettings;
import io.policyrec.policy.ActionDistribution;
import io.policyrec.policy.ActionSampler;
import io.policyrec.policy.Decision;
import io.policyrec.policy.EventIds;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.policy.PolicySnapshot;
import io.policyrec.snapshot.FileSnapshotStore;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Heap of one 784x32x32x10 policy with its join and learner, after growing volumes of traffic: it
 * must level off (pending decisions are bounded, the learner is fixed-size) rather than grow.
 */
final class MemoryCommand {
    private MemoryCommand() {
    }

    static int run(Args args) throws Exception {
        int phases = args.getInt("phases", 4);
        int perPhase = args.getInt("decisions", 200_000);
        double rewarded = args.getDouble("rewarded", 0.5);
        args.checkAllRead();
        PolicyRegistry registry = new PolicyRegistry();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        FileSnapshotStore store = new FileSnapshotStore(Files.createTempDirectory("policyrec-memory"));
        LearningLoop loop = new LearningLoop(registry, store,
                new io.policyrec.snapshot.SnapshotPublisher(store, meters, Duration.ofSeconds(5)),
                new LoopSettings(64L << 20, 200_000, 100_000, Duration.ofMillis(50), Duration.ofMillis(200), 100,
                        Duration.ofSeconds(10), 0), meters, io.policyrec.metrics.LearningObserver.NONE, Clock.systemUTC());
        PolicyConfig config = io.policyrec.loadtest.bench.BenchSupport.config(100, "PT1S");
        long incarnation = loop.create("memory", config).join().incarnation();
        loop.start();
        float[][] pool = io.policyrec.loadtest.bench.BenchSupport.contexts(1000);
        SplittableRandom random = new SplittableRandom(3);
        System.out.printf("%-12s %-12s %-10s%n", "decisions", "heap (MB)", "version");
        System.out.printf("%-12d %-12.1f %-10d%n", 0, usedHeapMb(), registry.get("memory").version());
        long total = 0;
        for (int phase = 1; phase <= phases; phase++) {
            for (int i = 0; i < perPhase; i++) {
                PolicySnapshot s = registry.get("memory");
                float[] x = pool[random.nextInt(pool.length)].clone();
                double[] q = ActionDistribution.of(s.weights().logits(x), null, 0.0);
                var draw = ActionSampler.draw(q, null, 1, random);
                Decision d = new Decision(EventIds.next(), "memory", incarnation, s.version(), System.currentTimeMillis(),
                        io.policyrec.policy.Context.dense(x),
                        null, draw.actions(), draw.probabilities());
                while (!loop.offerDecision(d)) {
                    Thread.sleep(1);
                }
                if (random.nextDouble() < rewarded) {
                    while (!loop.accept(d.eventId(), random.nextBoolean() ? 1.0 : 0.0, d.timestamp())) {
                        Thread.sleep(1);
                    }
                }
            }
            total += perPhase;
            Thread.sleep(2500);
            System.out.printf(Locale.ROOT, "%-12d %-12.1f %-10d%n", total, usedHeapMb(), registry.get("memory").version());
        }
        loop.close();
        return 0;
    }

    static double usedHeapMb() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1024.0 / 1024.0;
    }
}
