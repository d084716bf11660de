package io.policyrec.serving;

import io.policyrec.policy.PolicyRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once policies are loaded; reports how many and in which mode the service runs. */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {
    private final PolicyRegistry registry;

    public ReadinessCheck(PolicyRegistry registry) {
        this.registry = registry;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("policyrec").up()
                .withData("policies", registry.all().size())
                .withData("mode", "embedded")
                .build();
    }
}
