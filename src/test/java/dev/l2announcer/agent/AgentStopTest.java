package dev.l2announcer.agent;

import dev.l2announcer.datapath.LocalAnnouncement;
import dev.l2announcer.announce.ResponderSink;
import dev.l2announcer.config.AgentConfig;
import dev.l2announcer.election.LeaderElection;
import dev.l2announcer.election.LeadershipEvent;
import dev.l2announcer.fakes.InMemoryLeases;
import dev.l2announcer.selection.InMemorySelectionSource;
import dev.l2announcer.time.Ticker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Stopping releases the leases only when the datapath confirmed it stopped answering. */
class AgentStopTest {

    @Test
    void unconfirmedWithdrawalLetsLeasesExpireInsteadOfReleasingThem() {
        List<String> calls = stop(false);

        assertThat(calls).containsExactly("abandon");
    }

    @Test
    void confirmedWithdrawalReleasesTheLeases() {
        List<String> calls = stop(true);

        assertThat(calls).containsExactly("shutdown");
    }

    private static List<String> stop(boolean datapathConfirms) {
        List<String> calls = new CopyOnWriteArrayList<>();
        LeaderElection leases = new InMemoryLeases(Clock.systemUTC()).node("node-a");
        LeaderElection recording = new LeaderElection() {
            public void campaign(Map<String, SortedSet<String>> c) { leases.campaign(c); }
            public AutoCloseable subscribe(Consumer<LeadershipEvent> l) { return leases.subscribe(l); }
            public Set<String> held() { return leases.held(); }
            public boolean mayAnnounce(String lease, long now) { return leases.mayAnnounce(lease, now); }
            public List<LeaseView> leases() { return leases.leases(); }
            public void shutdown(Duration timeout) { calls.add("shutdown"); leases.shutdown(timeout); }
            public void abandon() { calls.add("abandon"); }
        };
        InMemoryNodeDatapath datapath = new InMemoryNodeDatapath();
        AgentConfig config = AgentConfig.defaults("node-a");
        AgentRuntime agent = new AgentRuntime(new AgentRuntime.Parts(config, null, new InMemorySelectionSource(),
                recording, datapath.responderMap(), datapath.devices(), datapath::gratuitousArp,
                (metrics, fence) -> confirming(datapath.sink(metrics, fence), datapathConfirms), datapath.status(),
                new SimpleMeterRegistry(), Clock.systemUTC(), Ticker.system(), () -> true, () -> 0,
                datapath::close, () -> { }));
        agent.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.notReadyReasons().isEmpty());
        agent.stop(Duration.ofSeconds(5));
        return calls;
    }

    /** The real sink, except that it can be made to never confirm what it applied (a stuck datapath). */
    private static ResponderSink confirming(ResponderSink real, boolean confirms) {
        return new ResponderSink() {
            public Result apply(Set<LocalAnnouncement> desired) { return real.apply(desired); }
            public boolean awaitApplied(Duration timeout) { return confirms && real.awaitApplied(timeout); }
            public AutoCloseable onFailuresChanged(Runnable onChange) { return real.onFailuresChanged(onChange); }
        };
    }
}
