package dev.l2announcer.agent;

import dev.l2announcer.election.LeaderElection;
import dev.l2announcer.election.LeadershipEvent;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.function.Consumer;

/**
 * The election of an agent with {@code enable-l2-announcements=false}: no Lease informer, no threads,
 * nothing campaigned for or held (as Cilium, which then watches and campaigns for nothing).
 */
final class DisabledLeaderElection implements LeaderElection {
    @Override
    public void campaign(Map<String, SortedSet<String>> candidatesByLease) {
    }

    @Override
    public AutoCloseable subscribe(Consumer<LeadershipEvent> listener) {
        return () -> {
        };
    }

    @Override
    public Set<String> held() {
        return Set.of();
    }

    @Override
    public boolean mayAnnounce(String lease, long nowNanos) {
        return false;
    }

    @Override
    public List<LeaseView> leases() {
        return List.of();
    }

    @Override
    public void shutdown(Duration timeout) {
    }
}
