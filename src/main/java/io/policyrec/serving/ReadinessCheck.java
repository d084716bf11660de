package io.policyrec.serving;

import io.policyrec.config.Infrastructure;
import io.policyrec.feedback.DecisionLog;
import io.policyrec.feedback.KafkaDecisionLog;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.snapshot.RedisSnapshotStore;
import io.policyrec.snapshot.SnapshotStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once policies are loaded. A degraded dependency (Kafka away) is reported in the check's
 * data but does not take the instance out of rotation: it still serves every policy from memory,
 * which is what a client of /recommend needs.
 */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {
    private final PolicyRegistry registry;
    private final Infrastructure.Mode mode;
    private final DecisionLog decisionLog;
    private final PolicyService policies;
    private final SnapshotStore store;

    public ReadinessCheck(PolicyRegistry registry, Infrastructure.Mode mode, DecisionLog decisionLog,
                          PolicyService policies, SnapshotStore store) {
        this.registry = registry;
        this.mode = mode;
        this.decisionLog = decisionLog;
        this.policies = policies;
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("policyrec").up()
                .withData("policies", registry.all().size())
                .withData("mode", mode.kafka() ? "kafka" : "embedded")
                .withData("snapshots", store instanceof RedisSnapshotStore ? "redis" : "local");
        boolean degraded = false;
        if (decisionLog instanceof KafkaDecisionLog k && k.degraded()) {
            b.withData("kafka", "decision log cannot reach Kafka; decisions are being dropped");
            degraded = true;
        }
        if (!store.available()) {
            b.withData("redis", "snapshot store unreachable; snapshots are retried");
            degraded = true;
        }
        String learning = policies.learningHealth();
        if (!"ok".equals(learning)) {
            b.withData("learning", learning);
            degraded = true;
        }
        return b.withData("state", degraded ? "degraded" : "ok").build();
    }
}
