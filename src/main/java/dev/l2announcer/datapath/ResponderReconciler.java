package dev.l2announcer.datapath;

import dev.l2announcer.config.AgentConfig;
import dev.l2announcer.time.TaskScheduler;
import dev.l2announcer.time.Ticker;

import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Keeps the datapath equal to the desired (IP, interface name) set, IPv4 and IPv6 alike: map entries (counters of
 * staying entries kept), program attached on every interface that has entries and detached from the
 * others, the links listening for the entries' solicitations ({@link NeighbourAnnouncer#listen}: IPv6
 * solicited-node groups), announcement bursts for new entries (gratuitous ARP / unsolicited NA),
 * re-convergence on link changes (a re-created link gets a new ifindex, so its entries are re-keyed and
 * re-announced; a link coming back up is re-announced).
 *
 * <p>Not fire-and-forget: a failed step is counted, reported and retried. A desired set larger than the
 * map is not an error: every deletion is applied, additions up to the capacity in a deterministic order, and
 * the rest is reported as {@link DatapathFailure#MAP_FULL}. Desired sets handed in faster than they converge
 * are coalesced: the latest one wins, one convergence serves them all.
 *
 * <p>The liveness stamp, which keeps the kernel program answering, is refreshed only while the last convergence
 * succeeded and the {@link LeaseFence} holds every Lease whose entries are in the map; gratuitous ARP asks the
 * fence too. So an agent whose election is frozen or cut off goes silent on its own, before any other node can
 * take its Leases over (the bound is {@link dev.l2announcer.config.LeaseTimings#livenessMaxAge()}'s). One late
 * Lease does not silence the others: a refresh that finds a Lease in the map the fence no longer holds is skipped
 * (as for any stale Lease); if the next one still finds it so while the fence holds other desired Leases, its
 * entries are withdrawn from the map before that stamp, and put back once the fence holds it again. A deadline
 * deferred one step late on a busy election thread (milliseconds) thus costs one skipped refresh, not a
 * withdrawal and a new announcement; a Lease that stays past its deadline leaves the map within two refresh
 * intervals (half a max age) and the rest stays answered. When the fence holds none (the node is fenced as a
 * whole: heartbeat, election stopped) the entries are kept and the stamp withheld. A gratuitous ARP the fence
 * refuses is held back, not dropped: the burst resumes at the first liveness refresh that finds the fence holding
 * the Lease again (a heartbeat answered late on a busy API), or ends when the announcement is no longer desired.
 * Dropping it left a just-acquired IP unannounced, with neighbours' caches pointing at the previous holder.
 *
 * <p>All work runs on the injected {@link TaskScheduler}'s single thread; the public methods only hand work to
 * it, and the getters read thread-safe snapshots. At {@link #start()} the desired set is empty, so entries left
 * by a previous run (or anyone else) are deleted until the agent says otherwise.
 */
public final class ResponderReconciler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ResponderReconciler.class.getName());
    static final Duration RETRY_DELAY = Duration.ofSeconds(1);
    /** Attach retries on one interface back off from {@link #RETRY_DELAY}, doubling, up to this. */
    static final Duration ATTACH_RETRY_MAX = Duration.ofSeconds(30);

    /** Hooks for metrics/logs; called on the reconciler thread, must not block. */
    public interface Listener {
        /** A gratuitous ARP (IPv4) or unsolicited NA (IPv6) for {@code ip} went out. */
        default void garpSent(String interfaceName, InetAddress ip, long atNanos) {
        }

        default void datapathError(String operation, RuntimeException error) {
        }

        /**
         * A convergence to the set passed with {@code desiredSeq} (the value {@link #desire} returned, or a later
         * one that replaced it before it ran) finished: the map holds exactly that set but {@code failed}. Lets a
         * caller tell WHICH desired set is in effect, which an entry count cannot (an empty map also "matches" a
         * queued {A} then {}).
         */
        default void converged(long desiredSeq, int mapEntries, Map<LocalAnnouncement, DatapathFailure> failed) {
        }
    }

    private final ResponderMap map;
    private final ResponderProgram program;
    private final Devices devices;
    private final NeighbourAnnouncer announcer;
    private final TaskScheduler scheduler;
    private final Ticker ticker;
    private final int garpRepeats;
    private final Duration garpInterval;
    private final Duration livenessRefresh;
    private final LeaseFence fence;
    private final Listener listener;

    // Confined to the scheduler thread.
    private Set<LocalAnnouncement> desired = Set.of();
    private long desiredSeq; // sequence of the desire() that set `desired`; 0 = the empty set of start()
    private Map<String, Device> lastDevices = Map.of();
    private final Map<LocalAnnouncement, Long> burstGeneration = new HashMap<>();
    /** Bursts whose next send (the value: its number) the fence refused; resumed when it holds again. */
    private final Map<LocalAnnouncement, Integer> burstsAwaitingFence = new HashMap<>();
    private long generation;
    private boolean retryPending;
    private long retryAtNanos;
    private long retryToken;
    /** Interfaces whose last attach failed: consecutive failures, earliest next try, XDP prog id then. */
    private record AttachBackoff(int failures, long notBeforeNanos, int xdpProgIdAtFailure) {}
    private final Map<String, AttachBackoff> attachBackoff = new HashMap<>();
    private boolean closed;
    private boolean lastConvergeOk;
    private Set<String> leasesInMap = Set.of();
    /** Desired Leases the fence no longer holds while it holds others: kept out of the map (see the class doc). */
    private Set<String> withheld = Set.of();
    /** Desired Leases the fence did not hold at the last refresh (withdrawn if still so at the next). */
    private Set<String> unfencedBefore = Set.of();
    private boolean fenceWasClosed;
    private boolean listenFailing;
    private AutoCloseable subscription;
    private TaskScheduler.Cancellable livenessTask;

    // Read from any thread.
    private final Map<String, AtomicLong> garpsSent = new ConcurrentHashMap<>();
    private final AtomicLong datapathErrors = new AtomicLong();
    private long lastSeq; // guarded by `this`: numbering and queueing happen together, so queue order = number order
    private Set<LocalAnnouncement> pending; // guarded by `this`: the newest desired set not yet taken by a convergence
    private long pendingSeq;                // guarded by `this`
    private volatile int mapEntries;
    private volatile Map<LocalAnnouncement, DatapathFailure> failed = Map.of();

    public ResponderReconciler(ResponderMap map, ResponderProgram program, Devices devices, NeighbourAnnouncer announcer,
                               TaskScheduler scheduler, Ticker ticker, int garpRepeats, Duration garpInterval,
                               Duration livenessRefresh, LeaseFence fence, Listener listener) {
        if (garpRepeats < 1) {
            throw new IllegalArgumentException("garpRepeats must be >= 1, got " + garpRepeats);
        }
        this.map = map;
        this.program = program;
        this.devices = devices;
        this.announcer = announcer;
        this.scheduler = scheduler;
        this.ticker = ticker;
        this.garpRepeats = garpRepeats;
        this.garpInterval = garpInterval;
        this.livenessRefresh = livenessRefresh;
        this.fence = fence;
        this.listener = listener;
    }

    /** Announcement burst and liveness refresh interval ({@link LivenessTiming}) from the agent config. */
    public static ResponderReconciler create(AgentConfig config, ResponderMap map, ResponderProgram program, Devices devices,
                                             NeighbourAnnouncer announcer, TaskScheduler scheduler, LeaseFence fence,
                                             Listener listener) {
        return new ResponderReconciler(map, program, devices, announcer, scheduler, Ticker.system(), config.garpRepeats(),
                config.garpInterval(), LivenessTiming.forConfig(config).refreshInterval(), fence, listener);
    }

    /** Subscribes to link changes, refreshes liveness periodically and converges to the (empty) desired set. */
    public void start() {
        scheduler.execute(() -> {
            try {
                subscription = devices.subscribe(() -> scheduler.execute(this::reconcile));
            } catch (RuntimeException e) {
                error("subscribe to link changes", e);
            }
            // Converge first: a map pinned by a previous life may hold entries this agent no longer owns
            // (kill -9 mid-announcement). Refreshing liveness first let the program answer them until the
            // first converge finished (~200 ms measured by the netns e2e: two MACs for one IP). A failed
            // first converge refreshes nothing either (refreshLiveness asks lastConvergeOk).
            reconcile();
            refreshLiveness();
        });
    }

    /**
     * Replaces the desired set (thread-safe); converges soon on the reconciler thread. Sets handed in before the
     * convergence starts replace each other: only the newest is converged to.
     *
     * @return this desired set's sequence number (increasing from 1), reported back by
     *         {@link Listener#converged(long, int, Map)} once the map holds it (or a newer one)
     */
    public synchronized long desire(Set<LocalAnnouncement> announcements) {
        boolean queued = pending != null;
        pending = Set.copyOf(announcements);
        pendingSeq = ++lastSeq;
        if (!queued) {
            scheduler.execute(this::takePending);
        }
        return pendingSeq;
    }

    private void takePending() {
        synchronized (this) {
            if (pending == null) {
                return;
            }
            desired = pending;
            desiredSeq = pendingSeq;
            pending = null;
        }
        reconcile();
    }

    /** Re-reads links and converges (e.g. after an external hint). */
    public void resync() {
        scheduler.execute(this::reconcile);
    }

    /**
     * Refreshes the stamp only while the map is known (last convergence succeeded) and this node may still answer
     * for every Lease in it: an overdue refresh after a freeze, or any refresh once a renew deadline has passed,
     * must not revive answers the election can no longer vouch for. Leases the fence no longer holds while it holds
     * others are withdrawn from the map first, so they do not silence the rest.
     */
    private void refreshLiveness() {
        if (closed) {
            return;
        }
        long now = ticker.nanoTime();
        Set<String> unfencedNow = partlyFenced(now);
        Set<String> withhold = new java.util.TreeSet<>(unfencedNow);
        withhold.removeIf(lease -> !unfencedBefore.contains(lease) && !withheld.contains(lease));
        unfencedBefore = unfencedNow;
        if (!withhold.equals(withheld)) {
            if (withheld.isEmpty() != withhold.isEmpty()) {
                LOG.log(withhold.isEmpty() ? Level.INFO : Level.WARNING, withhold.isEmpty()
                        ? "datapath: every lease is answered again"
                        : "datapath: withdrawing leases past their renew deadline or no longer held (first "
                        + withhold.iterator().next() + ") while answering the others");
            }
            withheld = Set.copyOf(withhold);
            reconcile();
        }
        String unfenced = lastConvergeOk ? firstUnfenced(now) : "the last convergence failed";
        if (unfenced == null) {
            try {
                program.refreshLiveness();
            } catch (RuntimeException e) {
                error("refresh liveness", e);
            }
        }
        if ((unfenced != null) != fenceWasClosed) {
            fenceWasClosed = unfenced != null;
            LOG.log(fenceWasClosed ? Level.WARNING : Level.INFO, fenceWasClosed
                    ? "datapath: liveness not refreshed (" + unfenced + "): the program goes silent within its max age"
                    : "datapath: liveness refreshed again");
        }
        resumeBursts(now);
        livenessTask = scheduler.schedule(this::refreshLiveness, livenessRefresh);
    }

    /**
     * Resumes the bursts the fence refused, for the Leases it holds again (a withdrawn Lease is never held here: it
     * gets a new burst when re-added). Kept keys are desired ones with a burst ({@link #converge} prunes both maps
     * together); {@link #sendGarp} drops a burst that is no longer current.
     */
    private void resumeBursts(long now) {
        if (burstsAwaitingFence.isEmpty()) {
            return; // runs at every refresh, several per max age: no copy when nothing waits
        }
        for (Map.Entry<LocalAnnouncement, Integer> e : List.copyOf(burstsAwaitingFence.entrySet())) {
            LocalAnnouncement a = e.getKey();
            if (fence.holds(a.lease(), now)) {
                burstsAwaitingFence.remove(a);
                sendGarp(a, burstGeneration.get(a), e.getValue());
            }
        }
    }

    /**
     * The desired Leases the fence does not hold at {@code now}, when it holds at least one other; empty when it
     * holds all, or none (then the stamp, not the map, silences the node: entries kept for a quick return).
     */
    private Set<String> partlyFenced(long now) {
        Set<String> out = new java.util.TreeSet<>();
        boolean anyHeld = false;
        for (LocalAnnouncement a : desired) {
            if (fence.holds(a.lease(), now)) {
                anyHeld = true;
            } else {
                out.add(a.lease());
            }
        }
        return anyHeld ? out : Set.of();
    }

    /** The first Lease in the map this node may no longer answer for, or null. */
    private String firstUnfenced(long now) {
        for (String lease : leasesInMap) {
            if (!fence.holds(lease, now)) {
                return "lease " + lease + " is past its renew deadline or no longer held";
            }
        }
        return null;
    }

    private void reconcile() {
        if (closed) {
            return;
        }
        try {
            converge();
            lastConvergeOk = true;
        } catch (RuntimeException e) {
            lastConvergeOk = false;
            error("reconcile", e);
        }
    }

    private void converge() {
        Map<String, Device> byName = devices.list().stream().collect(Collectors.toMap(Device::name, d -> d, (a, b) -> a));
        Map<LocalAnnouncement, DatapathFailure> failures = new HashMap<>();
        Set<LocalAnnouncement> missing = new HashSet<>();
        Map<String, Device> candidates = new HashMap<>();
        for (LocalAnnouncement a : desired) {
            Device d = byName.get(a.interfaceName());
            if (d == null || d.loopback() || d.mac() == null || d.mac().value() == 0) {
                missing.add(a);
                continue;
            }
            candidates.put(d.name(), d);
        }
        // Attach before adding entries, so a new entry is answered as soon as it exists. An interface
        // where attach fails (e.g. a foreign XDP program: EBUSY/EEXIST) gets no entries and no GARP:
        // pulling traffic to a MAC whose ARP nobody answers is worse than not announcing. Its
        // announcements stay unresolved (the agent reports L2AnnounceFailed) and attach is retried
        // with backoff.
        attachBackoff.keySet().retainAll(candidates.keySet());
        Map<String, Device> withEntries = new HashMap<>();
        long now = ticker.nanoTime();
        long nextAttachTry = Long.MAX_VALUE;
        for (Device d : candidates.values()) {
            AttachBackoff b = attachBackoff.get(d.name());
            // A changed XDP program id (the foreign program went away or changed) is worth a try at once.
            if (b != null && b.xdpProgIdAtFailure() == d.xdpProgId() && now - b.notBeforeNanos() < 0) {
                nextAttachTry = Math.min(nextAttachTry, b.notBeforeNanos());
                continue;
            }
            try {
                program.attach(d);
                attachBackoff.remove(d.name());
                withEntries.put(d.name(), d);
            } catch (RuntimeException e) {
                int attempts = b == null ? 1 : b.failures() + 1;
                long delay = attachRetryDelay(attempts).toNanos();
                attachBackoff.put(d.name(), new AttachBackoff(attempts, now + delay, d.xdpProgId()));
                nextAttachTry = Math.min(nextAttachTry, now + delay);
                report("attach responder on " + d.name(), e, attempts == 1);
            }
        }
        Map<ResponderEntry, LocalAnnouncement> entries = new HashMap<>();
        for (LocalAnnouncement a : desired) {
            if (withheld.contains(a.lease())) {
                continue; // withdrawn while the fence does not hold it (refreshLiveness)
            }
            Device d = withEntries.get(a.interfaceName());
            if (d != null) {
                entries.putIfAbsent(new ResponderEntry(a.ip(), d.ifindex()), a);
            } else if (candidates.containsKey(a.interfaceName())) {
                missing.add(a);
            }
        }
        ResponderMap.SyncResult result = map.sync(entries.keySet());
        missing.forEach(a -> failures.put(a, DatapathFailure.NO_INTERFACE));
        result.rejected().forEach(e -> failures.put(entries.get(e), DatapathFailure.MAP_FULL));
        Set<String> nowInMap = new HashSet<>();
        entries.forEach((e, a) -> {
            if (!result.rejected().contains(e)) nowInMap.add(a.lease());
        });
        leasesInMap = Set.copyOf(nowInMap);
        Set<ResponderEntry> installed = new HashSet<>(entries.keySet());
        installed.removeAll(result.rejected());
        listen(installed);
        for (String name : program.attachedInterfaces()) {
            if (!withEntries.containsKey(name)) {
                try {
                    program.detach(name);
                } catch (RuntimeException e) {
                    error("detach responder from " + name, e); // schedules the retry
                }
            }
        }
        Set<LocalAnnouncement> announce = new HashSet<>();
        for (ResponderEntry e : result.added()) {
            announce.add(entries.get(e));
        }
        // A link that came back up: its neighbours may have flushed us, announce again.
        for (Device d : withEntries.values()) {
            Device before = lastDevices.get(d.name());
            if (before != null && before.ifindex() == d.ifindex() && !answers(before) && answers(d)) {
                for (LocalAnnouncement a : entries.values()) {
                    if (a.interfaceName().equals(d.name()) && !failures.containsKey(a)) {
                        announce.add(a);
                    }
                }
            }
        }
        lastDevices = byName;
        burstGeneration.keySet().retainAll(desired);
        burstsAwaitingFence.keySet().retainAll(desired);
        for (LocalAnnouncement a : announce) {
            startBurst(a);
        }
        mapEntries = entries.size() - result.rejected().size();
        failed = Map.copyOf(failures);
        if (!missing.isEmpty()) {
            LOG.fine(() -> "interfaces not present (yet): " + missing);
        }
        if (!result.rejected().isEmpty()) {
            LOG.warning("datapath: responder map full (" + map.capacity() + " entries): " + result.rejected().size()
                    + " announcements not installed");
        }
        listener.converged(desiredSeq, mapEntries, failed);
        if (nextAttachTry != Long.MAX_VALUE) {
            scheduleRetry(Duration.ofNanos(Math.max(0, nextAttachTry - now)));
        }
    }

    /** Up with carrier: frames sent there reach the segment. */
    private static boolean answers(Device d) {
        return d.up() && d.hasCarrier();
    }

    /**
     * Before the bursts start, so neighbours that solicit after an announcement are heard: the interface joins the
     * solicited-node group of every installed IPv6 entry (MLD report; NICs filter multicast and snooping switches
     * forward a group only to ports that reported it) and leaves those of entries just removed. A failure keeps
     * the entries (the program answers what still arrives, e.g. on a switch that floods), is reported once and
     * retried with the next convergence.
     */
    private void listen(Set<ResponderEntry> installed) {
        try {
            announcer.listen(installed);
            listenFailing = false;
        } catch (RuntimeException e) {
            report("join/leave solicited-node multicast groups", e, !listenFailing);
            listenFailing = true;
            scheduleRetry();
        }
    }

    /** 1 s, 2 s, 4 s, ... capped at {@link #ATTACH_RETRY_MAX}. */
    static Duration attachRetryDelay(int failures) {
        int shift = Math.min(failures - 1, 16);
        Duration d = RETRY_DELAY.multipliedBy(1L << shift);
        return d.compareTo(ATTACH_RETRY_MAX) > 0 ? ATTACH_RETRY_MAX : d;
    }

    private void startBurst(LocalAnnouncement a) {
        long gen = ++generation;
        burstGeneration.put(a, gen);
        burstsAwaitingFence.remove(a);
        sendGarp(a, gen, 1);
    }

    private void sendGarp(LocalAnnouncement a, long gen, int nth) {
        if (closed || !Long.valueOf(gen).equals(burstGeneration.get(a)) || !desired.contains(a)) {
            return; // superseded by a newer burst, or no longer wanted
        }
        if (!fence.holds(a.lease(), ticker.nanoTime())) {
            // A GARP due after a freeze, or after the renew deadline, would pull neighbours back to this node
            // while another may already hold the Lease: held back until the fence holds it again.
            burstsAwaitingFence.put(a, nth);
            return;
        }
        Device d = lastDevices.get(a.interfaceName());
        if (d != null && answers(d)) {
            try {
                announcer.announce(d, a.ip());
                garpsSent.computeIfAbsent(d.name(), k -> new AtomicLong()).incrementAndGet();
                listener.garpSent(d.name(), a.ip(), ticker.nanoTime());
            } catch (RuntimeException e) {
                error(a.family().protocol() + " announcement of " + Addresses.format(a.ip()) + " on " + d.name(), e);
            }
        }
        if (nth < garpRepeats) {
            scheduler.schedule(() -> sendGarp(a, gen, nth + 1), garpInterval);
        }
    }

    private void scheduleRetry() {
        scheduleRetry(RETRY_DELAY);
    }

    /** At most one pending retry, at the earliest time any failure asked for. */
    private void scheduleRetry(Duration delay) {
        if (closed) {
            return;
        }
        long at = ticker.nanoTime() + delay.toNanos();
        if (retryPending && at - retryAtNanos >= 0) {
            return;
        }
        retryPending = true;
        retryAtNanos = at;
        long token = ++retryToken;
        scheduler.schedule(() -> {
            if (token == retryToken) {
                retryPending = false;
            }
            reconcile();
        }, delay);
    }

    private void error(String operation, RuntimeException e) {
        report(operation, e, true);
        scheduleRetry();
    }

    /** Counts and reports a failure; {@code warn} false logs repeats of a known failure at FINE only. */
    private void report(String operation, RuntimeException e, boolean warn) {
        datapathErrors.incrementAndGet();
        LOG.log(warn ? Level.WARNING : Level.FINE, "datapath: " + operation + " failed: " + e.getMessage());
        try {
            listener.datapathError(operation, e);
        } catch (RuntimeException ignored) {
            // a broken listener must not stop reconciliation
        }
    }

    /** Announcements sent (a GARP = request + reply form; an unsolicited NA) per interface name since start. */
    public Map<String, Long> garpsSentPerInterface() {
        Map<String, Long> out = new HashMap<>();
        garpsSent.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    public long datapathErrors() {
        return datapathErrors.get();
    }

    /** Entries the last convergence put in the map. */
    public int mapEntries() {
        return mapEntries;
    }

    /** Desired announcements the last convergence could not install, and why. */
    public Map<LocalAnnouncement, DatapathFailure> failed() {
        return failed;
    }

    /** responses_sent per map entry, read from the map now. */
    public Map<ResponderEntry, Long> responsesSent() {
        return map.list();
    }

    /** Stops reacting (subscription, liveness refresh, pending GARPs). Leaves the map and program as they are. */
    @Override
    public void close() {
        scheduler.execute(() -> {
            closed = true;
            if (livenessTask != null) {
                livenessTask.cancel();
            }
            if (subscription != null) {
                try {
                    subscription.close();
                } catch (Exception e) {
                    LOG.log(Level.FINE, "closing link subscription", e);
                }
            }
        });
    }
}
