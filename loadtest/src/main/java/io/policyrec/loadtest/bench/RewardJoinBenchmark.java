package io.policyrec.loadtest.bench;

import io.policyrec.feedback.JoinRule;
import io.policyrec.feedback.JoinedDecision;
import io.policyrec.feedback.RejectReason;
import io.policyrec.feedback.RewardJoin;
import io.policyrec.policy.Context;
import io.policyrec.policy.Decision;
import io.policyrec.policy.RewardAggregation;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the learner thread does to remember one dense decision (784 floats, as /recommend's
 * benchmark sends) and hand it back when its window closes without a reward, besides learning from
 * it: the join's share of the learner's cost per decision (a profile of the service at 5,000
 * decisions/s put it at about half of that thread's time, the gradient step the other half).
 * Steady state: 10,000 decisions pending, each op one in and the oldest out.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RewardJoinBenchmark {
    private static final int PENDING = 10_000;
    private static final JoinRule RULE = new JoinRule(PENDING, RewardAggregation.EARLIEST, 0.0);
    private Blackhole sink;
    private RewardJoin join;
    private String[] ids;
    private Context[] contexts;
    private long time;

    @Setup
    public void setup(Blackhole bh) {
        sink = bh;
        join = new RewardJoin(4L << 30, PENDING, new RewardJoin.Listener() {
            @Override
            public void joined(JoinedDecision joined) {
                sink.consume(joined);
            }

            @Override
            public void rejected(RejectReason reason) {
                sink.consume(reason);
            }

            @Override
            public void evicted(Decision decision) {
                sink.consume(decision);
            }

            @Override
            public void activation(RewardJoin.Activation outcome) {
                sink.consume(outcome);
            }

            @Override
            public void neverActivated(Decision decision) {
                sink.consume(decision);
            }
        });
        float[][] images = BenchSupport.contexts(200);
        contexts = new Context[images.length];
        for (int i = 0; i < images.length; i++) {
            contexts[i] = Context.dense(images[i]);
        }
        // An id comes round again after 65,536 decisions, long after the join forgot it (20,000).
        ids = new String[1 << 16];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = java.util.UUID.nameUUIDFromBytes(new byte[] {(byte) i, (byte) (i >>> 8)}).toString();
        }
        for (time = 0; time < PENDING; time++) {
            join.decided(at(time), RULE);
        }
    }

    /** Decision number t, decided at time t (the request path makes the object; the join copies it). */
    private Decision at(long t) {
        // A name of its own, as each request brings (its hash is computed again, as in the service).
        return new Decision(ids[(int) (t & (ids.length - 1))], new String(POLICY), 1, 0, t,
                contexts[(int) (t % contexts.length)], null, ACTION, PROBABILITY);
    }

    private static final String POLICY = "default";
    private static final int[] ACTION = {3};
    private static final double[] PROBABILITY = {0.1};

    @Benchmark
    public void decideAndClose() {
        join.decided(at(time), RULE);
        // The window of the decision PENDING before this one closes now.
        join.advanceTo(time + 1);
        time++;
    }
}
