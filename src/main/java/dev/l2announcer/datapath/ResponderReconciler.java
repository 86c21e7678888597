package dev.l2announcer.datapath;

import dev.l2announcer.config.AgentConfig;
import dev.l2announcer.time.TaskScheduler;
import dev.l2announcer.time.Ticker;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Keeps the datapath equal to the desired (IPv4, interface name) set: map entries (counters of
 * staying entries kept), program attached on every interface that has entries and detached from the
 * others, GARP bursts for new entries, re-convergence on link changes (a re-created link gets a new
 * ifindex, so its entries are re-keyed and re-announced; a link coming back up is re-announced).
 *
 * <p>Not fire-and-forget: a failed step is counted, reported and retried. All work runs on the
 * injected {@link TaskScheduler}'s single thread; the public methods only hand work to it, and the
 * getters read thread-safe snapshots.
 *
 * <p>At {@link #start()} the desired set is empty, so entries left by a previous run (or anyone
 * else) are deleted until the agent says otherwise.
 */
public final class ResponderReconciler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ResponderReconciler.class.getName());
    static final Duration RETRY_DELAY = Duration.ofSeconds(1);
    /** Attach retries on one interface back off from {@link #RETRY_DELAY}, doubling, up to this. */
    static final Duration ATTACH_RETRY_MAX = Duration.ofSeconds(30);

    /** Hooks for metrics/logs; called on the reconciler thread, must not block. */
    public interface Listener {
        default void garpSent(String interfaceName, Inet4Address ip, long atNanos) {
        }

        default void datapathError(String operation, RuntimeException error) {
        }

        default void converged(int mapEntries, Set<LocalAnnouncement> unresolved) {
        }

        /**
         * A convergence to the set passed with {@code desiredSeq} (the value {@link #desire} returned)
         * finished: the map holds exactly its resolvable part. Lets a caller tell WHICH desired set is
         * in effect, which an entry count cannot (an empty map also "matches" a queued {A} then {}).
         */
        default void converged(long desiredSeq, int mapEntries, Set<LocalAnnouncement> unresolved) {
            converged(mapEntries, unresolved);
        }
    }

    private final ResponderMap map;
    private final ResponderProgram program;
    private final Devices devices;
    private final GratuitousArp garp;
    private final TaskScheduler scheduler;
    private final Ticker ticker;
    private final int garpRepeats;
    private final Duration garpInterval;
    private final Duration livenessRefresh;
    private final Listener listener;

    // Confined to the scheduler thread.
    private Set<LocalAnnouncement> desired = Set.of();
    private long desiredSeq; // sequence of the desire() that set `desired`; 0 = the empty set of start()
    private Map<String, Device> lastDevices = Map.of();
    private final Map<LocalAnnouncement, Long> burstGeneration = new HashMap<>();
    private long generation;
    private boolean retryPending;
    private long retryAtNanos;
    private long retryToken;
    /** Interfaces whose last attach failed: consecutive failures, earliest next try, XDP prog id then. */
    private record AttachBackoff(int failures, long notBeforeNanos, int xdpProgIdAtFailure) {}
    private final Map<String, AttachBackoff> attachBackoff = new HashMap<>();
    private boolean closed;
    private AutoCloseable subscription;
    private TaskScheduler.Cancellable livenessTask;

    // Read from any thread.
    private final Map<String, AtomicLong> garpsSent = new ConcurrentHashMap<>();
    private final AtomicLong datapathErrors = new AtomicLong();
    private long lastSeq; // guarded by `this`: numbering and queueing happen together, so queue order = number order
    private volatile int mapEntries;
    private volatile Set<LocalAnnouncement> unresolved = Set.of();

    public ResponderReconciler(ResponderMap map, ResponderProgram program, Devices devices, GratuitousArp garp,
                               TaskScheduler scheduler, Ticker ticker, int garpRepeats, Duration garpInterval,
                               Duration livenessRefresh, Listener listener) {
        if (garpRepeats < 1) {
            throw new IllegalArgumentException("garpRepeats must be >= 1, got " + garpRepeats);
        }
        this.map = map;
        this.program = program;
        this.devices = devices;
        this.garp = garp;
        this.scheduler = scheduler;
        this.ticker = ticker;
        this.garpRepeats = garpRepeats;
        this.garpInterval = garpInterval;
        this.livenessRefresh = livenessRefresh;
        this.listener = listener;
    }

    /** GARP burst and liveness refresh interval ({@link LivenessTiming}) from the agent config. */
    public static ResponderReconciler create(AgentConfig config, ResponderMap map, ResponderProgram program, Devices devices,
                                             GratuitousArp garp, TaskScheduler scheduler, Listener listener) {
        return new ResponderReconciler(map, program, devices, garp, scheduler, Ticker.system(), config.garpRepeats(),
                config.garpInterval(), LivenessTiming.forConfig(config).refreshInterval(), listener);
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
            // first converge finished (~200 ms measured by the netns e2e: two MACs for one IP).
            reconcile();
            refreshLiveness();
        });
    }

    /**
     * Replaces the desired set (thread-safe); converges right away on the reconciler thread.
     *
     * @return this desired set's sequence number (increasing from 1), reported back by
     *         {@link Listener#converged(long, int, Set)} once the map holds it
     */
    public synchronized long desire(Set<LocalAnnouncement> announcements) {
        Set<LocalAnnouncement> copy = Set.copyOf(announcements);
        long seq = ++lastSeq;
        scheduler.execute(() -> {
            desired = copy;
            desiredSeq = seq;
            reconcile();
        });
        return seq;
    }

    /** Re-reads links and converges (e.g. after an external hint). */
    public void resync() {
        scheduler.execute(this::reconcile);
    }

    private void refreshLiveness() {
        if (closed) {
            return;
        }
        try {
            program.refreshLiveness();
        } catch (RuntimeException e) {
            error("refresh liveness", e);
        }
        livenessTask = scheduler.schedule(this::refreshLiveness, livenessRefresh);
    }

    private void reconcile() {
        if (closed) {
            return;
        }
        try {
            converge();
        } catch (RuntimeException e) {
            error("reconcile", e);
        }
    }

    private void converge() {
        Map<String, Device> byName = devices.list().stream().collect(Collectors.toMap(Device::name, d -> d, (a, b) -> a));
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
                int failures = b == null ? 1 : b.failures() + 1;
                long delay = attachRetryDelay(failures).toNanos();
                attachBackoff.put(d.name(), new AttachBackoff(failures, now + delay, d.xdpProgId()));
                nextAttachTry = Math.min(nextAttachTry, now + delay);
                report("attach responder on " + d.name(), e, failures == 1);
            }
        }
        Set<ResponderEntry> entries = new HashSet<>();
        for (LocalAnnouncement a : desired) {
            Device d = withEntries.get(a.interfaceName());
            if (d != null) {
                entries.add(new ResponderEntry(a.ip(), d.ifindex()));
            } else if (candidates.containsKey(a.interfaceName())) {
                missing.add(a);
            }
        }
        ResponderMap.SyncResult result = map.sync(entries);
        for (String name : program.attachedInterfaces()) {
            if (!withEntries.containsKey(name)) {
                try {
                    program.detach(name);
                } catch (RuntimeException e) {
                    error("detach responder from " + name, e); // schedules the retry
                }
            }
        }
        Map<Integer, Device> byIfindex = withEntries.values().stream().collect(Collectors.toMap(Device::ifindex, d -> d));
        Set<LocalAnnouncement> announce = new HashSet<>();
        for (ResponderEntry e : result.added()) {
            Device d = byIfindex.get(e.ifindex());
            if (d != null) {
                announce.add(new LocalAnnouncement(e.ip(), d.name()));
            }
        }
        // A link that came back up: its neighbours may have flushed us, announce again.
        for (Device d : withEntries.values()) {
            Device before = lastDevices.get(d.name());
            if (before != null && before.ifindex() == d.ifindex() && !before.up() && d.up()) {
                for (LocalAnnouncement a : desired) {
                    if (a.interfaceName().equals(d.name())) {
                        announce.add(a);
                    }
                }
            }
        }
        lastDevices = byName;
        burstGeneration.keySet().retainAll(desired);
        for (LocalAnnouncement a : announce) {
            startBurst(a);
        }
        mapEntries = entries.size();
        unresolved = Set.copyOf(missing);
        if (!missing.isEmpty()) {
            LOG.fine(() -> "interfaces not present (yet): " + missing);
        }
        listener.converged(desiredSeq, entries.size(), unresolved);
        if (nextAttachTry != Long.MAX_VALUE) {
            scheduleRetry(Duration.ofNanos(Math.max(0, nextAttachTry - now)));
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
        sendGarp(a, gen, 1);
    }

    private void sendGarp(LocalAnnouncement a, long gen, int nth) {
        if (closed || !Long.valueOf(gen).equals(burstGeneration.get(a)) || !desired.contains(a)) {
            return; // superseded by a newer burst, or no longer wanted
        }
        Device d = lastDevices.get(a.interfaceName());
        if (d != null && d.up()) {
            try {
                garp.announce(d, a.ip());
                garpsSent.computeIfAbsent(d.name(), k -> new AtomicLong()).incrementAndGet();
                listener.garpSent(d.name(), a.ip(), ticker.nanoTime());
            } catch (RuntimeException e) {
                error("gratuitous ARP for " + a.ip().getHostAddress() + " on " + d.name(), e);
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

    /** GARPs sent (each = request + reply form) per interface name since start. */
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

    /** Desired announcements whose interface does not exist (or has no MAC) right now. */
    public Set<LocalAnnouncement> unresolved() {
        return unresolved;
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
