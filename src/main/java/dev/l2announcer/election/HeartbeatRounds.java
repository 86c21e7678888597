package dev.l2announcer.election;

import dev.l2announcer.election.LeaseTransitions.Step;
import dev.l2announcer.time.Ticker;
import java.util.function.BiFunction;
import org.jboss.logging.Logger;

/**
 * The fast path's requests and what their answers mean, on the engine's thread: this node's beat every interval,
 * claims on suspected-dead peers, and the heartbeat versions the watch, resyncs and reads bring. The decisions
 * stay in {@link NodeHeartbeats} (bookkeeping) and {@link LeaseTransitions} (what a lease does about it); this only
 * sends and routes, as the engine does for Service Leases.
 */
final class HeartbeatRounds {
    private static final Logger LOG = Logger.getLogger(HeartbeatRounds.class);

    /** What the rounds need of the engine (its thread, its leases). */
    interface Shell {
        void post(Runnable task);

        void after(long delayNanos, Runnable task);

        /** Every lease takes {@code rule} now. */
        void transitionAll(BiFunction<LeaseState, Situation, Step> rule);

        /** The leases whose observed holder is {@code node} decide again. */
        void reconsiderHeldBy(String node);

        int heldCount();
    }

    private final String identity;
    private final NodeHeartbeats heartbeats;
    private final LeaseRequests requests;
    private final ElectionMetrics metrics;
    private final Ticker ticker;
    private final Shell shell;

    HeartbeatRounds(String identity, NodeHeartbeats heartbeats, LeaseRequests requests, ElectionMetrics metrics,
                    Ticker ticker, Shell shell) {
        this.identity = identity;
        this.heartbeats = heartbeats;
        this.requests = requests;
        this.metrics = metrics;
        this.ticker = ticker;
        this.shell = shell;
    }

    /** Renews this node's heartbeat every interval, one write at a time (a hanging one is bounded by the timeout). */
    void beat() {
        if (heartbeats.readyToSend(ticker.nanoTime())) {
            heartbeats.sent(ticker.nanoTime());
            requests.heartbeat(heartbeats).thenAccept(r -> shell.post(() -> {
                boolean wasQuarantined = heartbeats.quarantined(ticker.nanoTime());
                heartbeats.answered(r, ticker.nanoTime());
                if (wasQuarantined && !heartbeats.quarantined(ticker.nanoTime())) {
                    LOG.infof("election: quarantine over, this node's heartbeat is written again: campaigning");
                    shell.transitionAll(LeaseTransitions::reconsider);
                }
                if (r.outcome() == LeaseStore.Outcome.CONFLICT) {
                    // Ours exists (a restart) or someone wrote over it (a claim): read what is there.
                    read(NodeHeartbeats.leaseName(identity));
                }
            }));
        }
        shell.after(heartbeats.interval(), this::beat);
    }

    /** A heartbeat version the watch delivered (in commit order: it moves the stream floor). */
    void delivered(LeaseRecord record) {
        if (identity.equals(record.holder())) heartbeats.ownDelivered(record);
        observed(record, true);
    }

    /** A heartbeat version from a resync of the store or a read (not ordered against the watch). */
    void cached(LeaseRecord record) {
        observed(record, false);
    }

    private void read(String name) {
        requests.read(name).thenAccept(got -> shell.post(() -> {
            if (got.ok() && got.lease() != null) observed(got.lease(), false);
        }));
    }

    private void observed(LeaseRecord record, boolean delivered) {
        long now = ticker.nanoTime();
        if (!identity.equals(record.holder())) {
            if (heartbeats.observed(record, now, delivered ? heartbeats.streamFloor() : Situation.UNKNOWN_FLOOR)) {
                shell.reconsiderHeldBy(record.holder()); // another node's claim licenses this one too
            }
            return;
        }
        String claimant = heartbeats.ownObserved(record, now);
        if (claimant == null) return;
        // Judged dead: others are licensed to take our leases now. Stand down from all; nothing until the quarantine
        // ends, and it campaigns again once its first heartbeat after that is written (see beat()).
        LOG.warnf("election: this node's heartbeat was claimed by %s (judged dead): standing down from %d leases, writing"
                + " nothing for %d ms", claimant, shell.heldCount(), (heartbeats.quarantineEnds() - now) / 1_000_000);
        metrics.claimedDead.increment();
        shell.transitionAll((st, si) -> LeaseTransitions.claimedDead(st, si, claimant));
    }

    /**
     * Claims {@code node}'s heartbeat (it looks dead): a success licenses takeovers of its leases, a 409 means it
     * beat since (or another follower claimed it first): read it, then decide again.
     */
    void claim(String node) {
        LeaseRecord base = heartbeats.startClaim(node);
        if (base == null) return; // one in flight already (or nothing known to claim)
        requests.claim(base, heartbeats).thenAccept(r -> shell.post(() -> {
            boolean licensed = heartbeats.claimAnswered(node, r);
            metrics.claim(r, licensed);
            LOG.debugf("election: claim on %s's heartbeat: %s", node, licensed ? "licensed" : r.outcome() + " " + r.error());
            if (r.outcome() == LeaseStore.Outcome.CONFLICT) read(base.name());
            if (licensed) shell.reconsiderHeldBy(node);
        }));
    }
}
