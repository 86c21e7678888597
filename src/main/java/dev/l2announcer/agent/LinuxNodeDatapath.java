package dev.l2announcer.agent;

import dev.l2announcer.announce.ResponderSink;
import dev.l2announcer.datapath.LeaseFence;
import dev.l2announcer.datapath.Devices;
import dev.l2announcer.datapath.Finding;
import dev.l2announcer.datapath.NeighbourAnnouncer;
import dev.l2announcer.datapath.ResponderMap;
import dev.l2announcer.time.TaskScheduler;
import dev.l2announcer.datapath.linux.LinuxDatapath;
import dev.l2announcer.datapath.linux.PacketSocketGratuitousArp;
import dev.l2announcer.observability.AnnouncerMetrics;
import dev.l2announcer.observability.DoctorCheck;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ScheduledExecutorService;

/** The kernel datapath of this node (BPF program + map, rtnetlink, AF_PACKET) behind {@link NodeDatapath}. */
public final class LinuxNodeDatapath implements NodeDatapath {
    private static final Logger LOG = Logger.getLogger(LinuxNodeDatapath.class);
    /** The stale-state walk reads every BPF map of the kernel: cache it between scrapes. */
    private static final Duration EXAMINE_EVERY = Duration.ofSeconds(60);
    /** Bound on waiting for the reconciler thread's queued tasks at close. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final LinuxDatapath datapath;
    private final TaskScheduler scheduler;
    /** The reconciler thread when this class created it (and so shuts it down); null when injected. */
    private final ScheduledExecutorService ownedExecutor;
    private volatile ReconcilerSink sink;
    private PacketSocketGratuitousArp podGarp;
    private volatile boolean closed;
    private List<DoctorCheck> lastExamined = List.of();
    private long examinedAt;
    private boolean examined;

    public LinuxNodeDatapath(LinuxDatapath datapath) {
        this(datapath, Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().daemon().name("l2a-datapath").unstarted(r)));
    }

    private LinuxNodeDatapath(LinuxDatapath datapath, ScheduledExecutorService executor) {
        this(datapath, TaskScheduler.of(executor), executor);
    }

    /** @param scheduler the reconciler's thread; it must live in the network namespace of the links */
    public LinuxNodeDatapath(LinuxDatapath datapath, TaskScheduler scheduler) {
        this(datapath, scheduler, null);
    }

    private LinuxNodeDatapath(LinuxDatapath datapath, TaskScheduler scheduler, ScheduledExecutorService owned) {
        this.datapath = datapath;
        this.scheduler = scheduler;
        this.ownedExecutor = owned;
        for (Finding f : datapath.startupFindings()) {
            LOG.infof("datapath start-up: %s", f);
        }
    }

    @Override
    public ResponderMap responderMap() {
        return datapath.responderMap();
    }

    @Override
    public Devices devices() {
        return datapath.devices();
    }

    /**
     * A sender of its own for pod announcements: the datapath's sender belongs to the reconciler
     * thread (PacketSocketGratuitousArp is not thread-safe), pod GARPs go out on another thread.
     */
    @Override
    public synchronized NeighbourAnnouncer gratuitousArp() {
        if (podGarp == null) {
            podGarp = new PacketSocketGratuitousArp();
        }
        return podGarp;
    }

    @Override
    public synchronized ResponderSink sink(AnnouncerMetrics metrics, LeaseFence fence) {
        if (sink == null) {
            sink = new ReconcilerSink(l -> datapath.reconciler(scheduler, fence, l), metrics);
        }
        return sink;
    }

    @Override
    public boolean attached() {
        return !closed; // open() loaded the program and opened the pinned map, or it threw
    }

    @Override
    public synchronized List<DoctorCheck> staleState() {
        long now = System.nanoTime();
        if (examined && now - examinedAt < EXAMINE_EVERY.toNanos()) {
            return lastExamined;
        }
        Set<String> selected = new TreeSet<>();
        ReconcilerSink s = sink;
        if (s != null) {
            selected.addAll(datapath.program().attachedInterfaces());
        }
        List<DoctorCheck> out = new ArrayList<>();
        try {
            for (Finding f : datapath.examine(selected)) {
                if (f.severity() == Finding.Severity.INFO) {
                    continue;
                }
                out.add(new DoctorCheck("datapath." + f.code().toLowerCase().replace('_', '-'),
                        f.severity() == Finding.Severity.ERROR ? DoctorCheck.Status.FAIL : DoctorCheck.Status.WARN,
                        f.message(), f.confirmCommands()));
            }
        } catch (RuntimeException e) {
            out.add(new DoctorCheck("datapath.examine", DoctorCheck.Status.WARN, "stale-state check failed: " + e.getMessage(),
                    List.of("bpftool map show name l2_responder_v4")));
        }
        lastExamined = List.copyOf(out);
        examinedAt = now;
        examined = true;
        return lastExamined;
    }

    @Override
    public void close() {
        closed = true;
        ReconcilerSink s = sink;
        if (s != null) {
            s.close();
        }
        synchronized (this) {
            if (podGarp != null) {
                podGarp.close();
            }
        }
        // The sink's close only queues the reconciler's close task; refresh/reconcile tasks queued
        // before it still use the program's fds. Close the BPF object only after they ran, or they
        // would act on closed (possibly reused) fd numbers.
        awaitQueuedTasks();
        datapath.close();
    }

    /** Waits (bounded) until the reconciler thread has run everything queued so far (its close task included). */
    private void awaitQueuedTasks() {
        try {
            // Single thread: a marker task runs after the queued ones. Tasks it leaves delayed (GARP
            // repeats, retries, liveness) are no-ops once the reconciler's close task has run.
            CountDownLatch drained = new CountDownLatch(1);
            scheduler.execute(drained::countDown);
            if (!drained.await(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warnf("datapath thread still busy after %s; closing the BPF object anyway", CLOSE_WAIT);
            }
            if (ownedExecutor != null) {
                ownedExecutor.shutdownNow();
                ownedExecutor.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RejectedExecutionException e) {
            // scheduler already shut down by its owner: nothing more will run on it
        }
    }
}
