package io.policyrec.serving;

import io.policyrec.feedback.FeedbackPath;
import io.policyrec.policy.PolicyRegistry;
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
    private final FeedbackPath path;
    private final SnapshotStore store;

    public ReadinessCheck(PolicyRegistry registry, FeedbackPath path, SnapshotStore store) {
        this.registry = registry;
        this.path = path;
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("policyrec").up()
                .withData("policies", registry.all().size())
                .withData("mode", path.mode())
                .withData("snapshots", store.kind());
        boolean degraded = false;
        String decisions = path.decisions().health();
        if (!"ok".equals(decisions)) {
            b.withData("kafka", decisions);
            degraded = true;
        }
        if (!store.available()) {
            b.withData("redis", "snapshot store unreachable; snapshots are retried");
            degraded = true;
        }
        String learning = path.host().health();
        if (!"ok".equals(learning)) {
            b.withData("learning", learning);
            degraded = true;
        }
        return b.withData("state", degraded ? "degraded" : "ok").build();
    }
}
