package dev.l2announcer.agent;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import java.util.List;

/** SmallRye Health: /q/health/ready and /q/health/live. */
public final class AgentHealthChecks {
    private AgentHealthChecks() {
    }

    /** Ready = informers synced, datapath attached, first desired set applied. */
    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {
        @Inject
        Instance<AgentRuntime> agent;

        @Override
        public HealthCheckResponse call() {
            if (!agent.isResolvable()) {
                return HealthCheckResponse.named("l2-announcer").down().withData("reason", "agent not wired").build();
            }
            List<String> reasons = agent.get().notReadyReasons();
            var b = HealthCheckResponse.named("l2-announcer").status(reasons.isEmpty());
            if (!reasons.isEmpty()) {
                b.withData("reasons", String.join("; ", reasons));
            }
            return b.build();
        }
    }

    /** Live = the announce loop answers; deliberately independent of the API server. */
    @Liveness
    @ApplicationScoped
    public static class Live implements HealthCheck {
        @Inject
        Instance<AgentRuntime> agent;

        @Override
        public HealthCheckResponse call() {
            boolean up = !agent.isResolvable() || agent.get().alive();
            return HealthCheckResponse.named("l2-announcer-loop").status(up).build();
        }
    }
}
