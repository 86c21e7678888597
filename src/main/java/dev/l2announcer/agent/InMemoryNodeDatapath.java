package dev.l2announcer.agent;

import dev.l2announcer.announce.ResponderSink;
import dev.l2announcer.datapath.Devices;
import dev.l2announcer.datapath.NeighbourAnnouncer;
import dev.l2announcer.datapath.LeaseFence;
import dev.l2announcer.datapath.ResponderMap;
import dev.l2announcer.datapath.ResponderReconciler;
import dev.l2announcer.time.TaskScheduler;
import dev.l2announcer.datapath.fake.FakeDevices;
import dev.l2announcer.datapath.fake.FakeNeighbourAnnouncer;
import dev.l2announcer.datapath.fake.FakeResponderMap;
import dev.l2announcer.datapath.fake.FakeResponderProgram;
import dev.l2announcer.datapath.fake.Links;
import dev.l2announcer.observability.AnnouncerMetrics;
import dev.l2announcer.observability.DoctorCheck;
import dev.l2announcer.time.Ticker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A node datapath in memory: the real reconciler over the datapath's in-memory map, program, links
 * (lo + eth0) and GARP recorder. Used by the simulated demo and by tests; not a bean here (tests
 * make it one with a subclass), so production always gets the producer's kernel datapath.
 */
public class InMemoryNodeDatapath implements NodeDatapath {
    public final FakeResponderMap map = new FakeResponderMap();
    public final FakeDevices devices;
    public final FakeNeighbourAnnouncer garp = new FakeNeighbourAnnouncer();
    public final FakeResponderProgram program = new FakeResponderProgram();
    private final ScheduledExecutorService thread;
    private ReconcilerSink sink;

    public InMemoryNodeDatapath() {
        this(1);
    }

    /** @param macLastByte last byte of eth0's MAC, so that several nodes in one test differ */
    public InMemoryNodeDatapath(int macLastByte) {
        devices = Links.loAndEth0(macLastByte);
        thread = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().daemon().name("test-datapath-" + macLastByte).unstarted(r));
    }

    @Override
    public ResponderMap responderMap() {
        return map;
    }

    @Override
    public Devices devices() {
        return devices;
    }

    @Override
    public NeighbourAnnouncer gratuitousArp() {
        return garp;
    }

    @Override
    public synchronized ResponderSink sink(AnnouncerMetrics metrics, LeaseFence fence) {
        if (sink == null) {
            sink = new ReconcilerSink(l -> new ResponderReconciler(map, program, devices, garp, TaskScheduler.of(thread), Ticker.system(),
                    1, Duration.ofMillis(100), Duration.ofSeconds(5), fence, l), metrics);
        }
        return sink;
    }

    @Override
    public boolean attached() {
        return true;
    }

    @Override
    public List<DoctorCheck> staleState() {
        return List.of();
    }

    @Override
    public synchronized void close() {
        if (sink != null) {
            sink.close();
        }
        thread.shutdown(); // not shutdownNow: the reconciler's queued close() must still run
    }
}
