package dev.l2announcer.health;

import dev.l2announcer.election.OutageVotes;
import dev.l2announcer.time.Ticker;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The fast path's answer to an API-server outage: a holder that cannot reach the API keeps answering only while
 * every candidate of its leases confirms, over the agents' node-probe channel ({@value #PATH}), that it cannot
 * reach the API either (so nobody can take a lease over) and can still talk to this holder. Each round (one per
 * heartbeat interval) asks every such peer; when all confirm, the holder's fence is extended to the round's start
 * plus the heartbeat fence. Any doubt (a peer unreachable, answering under another name, reaching the API, or
 * without the fast path) and no extension is granted: the holder fences itself as without an outage.
 *
 * <p>The peer side ({@link #answer}) promises, when it answers "unreachable", to take none of the asker's leases for
 * a whole heartbeat expiry from then: longer than the extension its answer can have granted plus the liveness max
 * age (the inequality {@code LeaseTimings} owns), so a peer that regains the API first cannot take over while the
 * holder still answers on the strength of its earlier answer.
 *
 * <p>Threads: one round thread; the peers are asked in parallel on virtual threads (plain blocking sockets).
 */
public final class OutageAgreement implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OutageAgreement.class);
    public static final String PATH = "/healthz/outage";
    static final String UNREACHABLE = "api-unreachable";
    static final String REACHABLE = "api-reachable";
    static final String CLAIMED = "heartbeat-claimed";

    private final String selfNode;
    private final OutageVotes votes;
    private final Supplier<List<NodeTarget>> nodes;
    private final NodeProber prober;
    private final Ticker ticker;
    private final ExecutorService askers = Executors.newVirtualThreadPerTaskExecutor();
    private volatile Thread loop;
    private volatile boolean closed;
    private volatile Boolean lastRoundConfirmed; // null until the first round in doubt

    /** @param prober bounded by well under one interval (a round must fit in one) */
    public OutageAgreement(String selfNode, OutageVotes votes, Supplier<List<NodeTarget>> nodes, NodeProber prober,
                           Ticker ticker) {
        this.selfNode = selfNode;
        this.votes = votes;
        this.nodes = nodes;
        this.prober = prober;
        this.ticker = ticker;
    }

    /**
     * The peer's side: this node's answer to {@code from}'s question (and its promise when unreachable). Never a
     * confirmation for a node whose heartbeat this node knows was claimed: its leases may be taken already (by this
     * node, or by another that this node saw claim), and a promise only holds back takeovers to come. Without this,
     * a holder cut from the API alone, claimed and replaced, was granted an extension as soon as the new holder's
     * own heartbeat failed once (in doubt), and both answered (found by ElectionModelCheckTest).
     */
    public static String answer(OutageVotes votes, String selfNode, String from) {
        boolean cutOff = votes.fastFailover() && votes.apiInDoubt();
        if (cutOff && from != null && votes.claimed(from)) {
            return selfNode + " " + CLAIMED;
        }
        if (cutOff && from != null && !from.isBlank()) {
            votes.promiseNoTakeover(from);
        }
        return selfNode + " " + (cutOff ? UNREACHABLE : REACHABLE);
    }

    /**
     * One round: if this node cannot reach the API and holds leases, ask every peer; true when all confirmed (the
     * fence was extended). Pure of timing: the caller paces rounds.
     */
    public boolean round() {
        if (!votes.fastFailover() || !votes.apiInDoubt()) {
            lastRoundConfirmed = null; // the next outage is logged from its first round
            return false;
        }
        Set<String> peers = votes.peersOfHeldLeases();
        if (peers.isEmpty()) {
            return false; // no candidate: nobody could take over anyway, but nobody vouches either
        }
        long start = ticker.nanoTime();
        Map<String, NodeTarget> byName = new HashMap<>();
        for (NodeTarget t : nodes.get()) byName.put(t.name(), t);
        Map<String, CompletableFuture<String>> asks = new java.util.TreeMap<>();
        for (String peer : peers) {
            NodeTarget target = byName.get(peer);
            asks.put(peer, target == null ? CompletableFuture.completedFuture("no InternalIP in its Node")
                    : CompletableFuture.supplyAsync(() -> doubt(target), askers));
        }
        List<String> doubts = new java.util.ArrayList<>();
        asks.forEach((peer, ask) -> {
            String why = ask.join();
            if (why != null) doubts.add(peer + ": " + why);
        });
        boolean all = doubts.isEmpty();
        if (all) {
            votes.roundConfirmed(start);
        }
        // Logged on every change and on the first round in doubt, with each doubt's reason (a Node without an
        // InternalIP, a peer that does not answer, or one that still reaches the API): what an operator needs.
        Boolean last = lastRoundConfirmed;
        if (last == null || all != last) {
            if (all) {
                LOG.infof("API outage confirmed by every candidate %s: still answering", peers);
            } else {
                LOG.infof("API unreachable but not confirmed by every candidate (%s): fencing", String.join("; ", doubts));
            }
            lastRoundConfirmed = all;
        }
        return all;
    }

    /** Null when {@code peer} confirms it cannot reach the API either, else why not. */
    private String doubt(NodeTarget peer) {
        Optional<String> body = prober.get(peer, PATH + "?from=" + java.net.URLEncoder.encode(selfNode, java.nio.charset.StandardCharsets.UTF_8));
        if (body.isEmpty()) return "no answer from " + peer.address().getHostAddress();
        return body.get().equals(peer.name() + " " + UNREACHABLE) ? null : "answered \"" + body.get() + "\"";
    }

    /**
     * Runs a round every half heartbeat interval until closed (only rounds in doubt ask anyone): the first
     * extension must come before the fence of the last successful heartbeat lapses.
     */
    public OutageAgreement start() {
        Duration interval = votes.heartbeatInterval().dividedBy(2);
        if (interval.isZero()) return this;
        loop = Thread.ofPlatform().daemon().name("l2a-outage").start(() -> {
            while (!closed) {
                long next = ticker.nanoTime() + interval.toNanos();
                try {
                    round();
                } catch (RuntimeException e) {
                    LOG.warnf(e, "outage round failed");
                }
                long wait = next - ticker.nanoTime();
                if (wait > 0) {
                    try {
                        Thread.sleep(Duration.ofNanos(wait));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        });
        return this;
    }

    @Override
    public void close() {
        closed = true;
        Thread t = loop;
        if (t != null) t.interrupt();
        askers.shutdownNow();
    }
}
