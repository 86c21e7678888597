package dev.l2announcer.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.l2announcer.election.OutageVotes;
import dev.l2announcer.time.ManualTime;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The outage agreement over real HTTP on loopback addresses (127.0.0.x, one per peer, one port). */
class OutageAgreementTest {
    final ManualTime time = new ManualTime();
    final List<HttpServer> servers = new ArrayList<>();
    final Map<String, String> answers = new ConcurrentHashMap<>();
    int port;

    /** Votes of the asking holder: in doubt, holding leases whose other candidates are {@code peers}. */
    static final class Votes implements OutageVotes {
        final Set<String> peers;
        volatile boolean inDoubt = true;
        final AtomicLong confirmedRound = new AtomicLong(Long.MIN_VALUE);
        final List<String> promised = new ArrayList<>();
        final Set<String> claimed = ConcurrentHashMap.newKeySet();

        Votes(Set<String> peers) {
            this.peers = peers;
        }

        @Override public boolean fastFailover() { return true; }
        @Override public boolean apiReachable() { return !inDoubt; }
        @Override public boolean apiInDoubt() { return inDoubt; }
        @Override public Set<String> peersOfHeldLeases() { return peers; }
        @Override public void roundConfirmed(long roundStartNanos) { confirmedRound.set(roundStartNanos); }
        @Override public synchronized void promiseNoTakeover(String holder) { promised.add(holder); }
        @Override public boolean claimed(String holder) { return claimed.contains(holder); }
        @Override public Duration heartbeatInterval() { return Duration.ofMillis(200); }
    }

    NodeTarget peer(String name, int last) throws Exception {
        InetAddress addr = InetAddress.getByName("127.0.0." + last);
        HttpServer s = HttpServer.create(new InetSocketAddress(addr, port), 4);
        s.createContext(OutageAgreement.PATH, ex -> {
            try (ex) {
                byte[] body = (answers.getOrDefault(name, name + " api-unreachable") + "\n").getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
        });
        s.start();
        servers.add(s);
        return new NodeTarget(name, addr, false);
    }

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
    }

    OutageAgreement agreement(Votes votes, List<NodeTarget> targets) {
        return new OutageAgreement("holder", votes, () -> targets, new NodeProber(port, Duration.ofMillis(500), time, Clock.systemUTC()),
                time);
    }

    @Test
    void extendsTheFenceOnlyWhenEveryCandidateConfirmsItCannotReachTheApi() throws Exception {
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        List<NodeTarget> targets = List.of(peer("p1", 2), peer("p2", 3));
        Votes votes = new Votes(Set.of("p1", "p2"));
        OutageAgreement a = agreement(votes, targets);
        long start = time.nanoTime();
        assertThat(a.round()).isTrue();
        assertThat(votes.confirmedRound.get()).as("the round's start, which the fence is extended from").isEqualTo(start);

        answers.put("p2", "p2 api-reachable"); // p2 can take over: no extension
        votes.confirmedRound.set(Long.MIN_VALUE);
        assertThat(a.round()).isFalse();
        assertThat(votes.confirmedRound.get()).isEqualTo(Long.MIN_VALUE);

        answers.put("p2", "p9 api-unreachable"); // another node answers on p2's address: doubt
        assertThat(a.round()).isFalse();

        answers.remove("p2");
        assertThat(agreement(new Votes(Set.of("p1", "p2", "p3")), targets).round())
                .as("a candidate with no known address is doubt").isFalse();
        servers.get(1).stop(0); // p2 unreachable
        assertThat(a.round()).isFalse();

        votes.inDoubt = false; // the API is reachable from here: nobody is asked
        assertThat(a.round()).isFalse();
    }

    @Test
    void aPeerThatCannotReachTheApiPromisesToHoldOffItsAskerOnly() {
        Votes cutOff = new Votes(Set.of());
        assertThat(OutageAgreement.answer(cutOff, "p1", "holder")).isEqualTo("p1 api-unreachable");
        assertThat(cutOff.promised).containsExactly("holder");
        Votes fine = new Votes(Set.of());
        fine.inDoubt = false;
        assertThat(OutageAgreement.answer(fine, "p1", "holder")).isEqualTo("p1 api-reachable");
        assertThat(fine.promised).isEmpty();
        assertThat(OutageAgreement.answer(OutageVotes.NONE, "p1", "holder")).as("no fast path: never vouches")
                .isEqualTo("p1 api-reachable");
    }

    @Test
    void aPeerThatKnowsTheAskerWasClaimedNeverConfirmsItsOutage() {
        Votes cutOff = new Votes(Set.of());
        cutOff.claimed.add("holder");
        assertThat(OutageAgreement.answer(cutOff, "p1", "holder")).as("its leases may be taken already")
                .isEqualTo("p1 heartbeat-claimed");
        assertThat(cutOff.promised).isEmpty();
        assertThat(OutageAgreement.answer(cutOff, "p1", "other")).isEqualTo("p1 api-unreachable");
    }
}
