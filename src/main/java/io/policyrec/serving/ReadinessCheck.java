package io.policyrec.serving;

import io.policyrec.config.Infrastructure;
import io.policyrec.feedback.DecisionLog;
import io.policyrec.feedback.KafkaDecisionLog;
import io.policyrec.policy.PolicyRegistry;
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

    public ReadinessCheck(PolicyRegistry registry, Infrastructure.Mode mode, DecisionLog decisionLog,
                          PolicyService policies) {
        this.registry = registry;
        this.mode = mode;
        this.decisionLog = decisionLog;
        this.policies = policies;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("policyrec").up()
                .withData("policies", registry.all().size())
                .withData("mode", mode.kafka() ? "kafka" : "embedded");
        boolean degraded = false;
        if (decisionLog instanceof KafkaDecisionLog k && k.degraded()) {
            b.withData("kafka", "decision log cannot reach Kafka; decisions are being dropped");
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
