package dev.l2announcer.agent;

import dev.l2announcer.config.AgentConfig;
import dev.l2announcer.health.HealthEvents;
import dev.l2announcer.health.HealthMonitor;
import dev.l2announcer.health.NodeProber;
import dev.l2announcer.health.VipProber;
import dev.l2announcer.selection.KubernetesSelectionSource;
import dev.l2announcer.time.Ticker;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The L2 health monitor of every @QuarkusTest: real scheduling and reports, but an ARP transport
 * that sends nothing (the production one opens raw sockets on the named interfaces, which in a
 * test JVM would be the host's) and no node targets.
 */
@Singleton
public class TestHealthMonitorProducer {
    @Produces
    @Singleton
    HealthMonitor healthMonitor(AgentConfig config, KubernetesSelectionSource selection, InMemoryNodeDatapath datapath,
                                AgentRuntime agent) {
        Clock clock = Clock.systemUTC();
        Ticker ticker = Ticker.system();
        VipProber vips = new VipProber((via, ips, window) -> Map.of(), Duration.ofMillis(10), clock, null,
                new HealthEvents(agent.events()::warning, ticker, HealthMonitor.EVENT_MIN_GAP, config.nodeName()));
        return new HealthMonitor(config.nodeName(), new HealthMonitor.Sources(selection::current, Map::of,
                datapath.devices()::list, List::of), vips, new NodeProber(config.debugPort(), Duration.ofMillis(100), ticker, clock),
                null, ticker, Duration.ofSeconds(60), 20);
    }
}
