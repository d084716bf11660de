package io.policyrec.feedback;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import io.policyrec.policy.Decision;
import java.util.EnumMap;
import java.util.Map;

/** The join's counters, shared by the embedded and the Kafka paths (same names, same meaning). */
public final class JoinMetrics {
    private final Counter evicted;
    private final Counter neverActivated;
    private final Map<RewardJoin.Activation, Counter> activations = new EnumMap<>(RewardJoin.Activation.class);
    private final Map<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);
    private final Counter rewarded;
    private final Counter defaulted;
    private final Counter held;
    private final Timer freshness;

    public JoinMetrics(MeterRegistry meters) {
        this.evicted = Counter.builder("policyrec_decisions_evicted_total")
                .description("Pending decisions evicted unlearned because the pending budget was full")
                .register(meters);
        this.neverActivated = Counter.builder("policyrec_decisions_never_activated_total")
                .description("Deferred decisions whose reward window closed before they were activated: not learned "
                        + "from").register(meters);
        for (RewardJoin.Activation a : RewardJoin.Activation.values()) {
            activations.put(a, Counter.builder("policyrec_activations_total").tag("outcome", a.label())
                    .description("Activations of deferred decisions, by what they did").register(meters));
        }
        for (RejectReason r : RejectReason.values()) {
            rejected.put(r, Counter.builder("policyrec_feedback_rejected_total").tag("reason", r.label())
                    .description("Rewards not learned from, by reason").register(meters));
        }
        this.rewarded = Counter.builder("policyrec_decisions_joined_total").tag("outcome", "rewarded")
                .description("Decisions applied to learning, by how their reward was found").register(meters);
        this.defaulted = Counter.builder("policyrec_decisions_joined_total").tag("outcome", "default")
                .description("Decisions applied to learning, by how their reward was found").register(meters);
        this.held = Counter.builder("policyrec_feedback_held_total")
                .description("Rewards that reached the learner before their decision and were held for it (the "
                        + "decision reached the log late, or the learner had not read it yet)").register(meters);
        this.freshness = Timer.builder("policyrec_feedback_freshness")
                .description("From a reward reaching the service to serving weights that learned from it")
                .serviceLevelObjectives(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200),
                        Duration.ofMillis(300), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
                        Duration.ofSeconds(5))
                .publishPercentiles(0.5, 0.99).register(meters);
    }

    /** A policy now serves weights that learned from rewards received at these times. */
    public void published(java.util.List<Long> arrivals, long now) {
        for (long at : arrivals) {
            freshness.record(Math.max(0, now - at), java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    /** A join listener that counts every outcome and hands each joined decision to {@code learn}. */
    public RewardJoin.Listener counting(java.util.function.Consumer<JoinedDecision> learn) {
        return new RewardJoin.Listener() {
            @Override
            public void joined(JoinedDecision j) {
                JoinMetrics.this.joined(j);
                learn.accept(j);
            }

            @Override
            public void rejected(RejectReason reason) {
                JoinMetrics.this.rejected(reason);
            }

            @Override
            public void evicted(Decision decision) {
                JoinMetrics.this.evicted(decision);
            }

            @Override
            public void activation(RewardJoin.Activation outcome) {
                activations.get(outcome).increment();
            }

            @Override
            public void neverActivated(Decision decision) {
                neverActivated.increment();
            }
        };
    }

    public void rejected(RejectReason reason) {
        rejected.get(reason).increment();
    }

    /** A reward came ahead of its decision and waits for it. */
    public void held() {
        held.increment();
    }

    public void evicted(Decision decision) {
        evicted.increment();
    }

    public void joined(JoinedDecision joined) {
        (joined.rewarded() ? rewarded : defaulted).increment();
    }
}
