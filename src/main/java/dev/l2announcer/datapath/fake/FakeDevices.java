package dev.l2announcer.datapath.fake;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.Devices;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** In-memory {@link Devices}: the test sets the links; subscribers hear about each change. */
public final class FakeDevices implements Devices {
    private volatile List<Device> devices;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger listCalls = new AtomicInteger();

    public FakeDevices(List<Device> devices) {
        this.devices = List.copyOf(devices);
    }

    @Override
    public List<Device> list() {
        listCalls.incrementAndGet();
        return devices;
    }

    @Override
    public AutoCloseable subscribe(Runnable onChange) {
        listeners.add(onChange);
        return () -> listeners.remove(onChange);
    }

    /** Replaces the links and notifies subscribers (as an RTM_NEWLINK/DELLINK burst would). */
    public void set(List<Device> newDevices) {
        devices = List.copyOf(newDevices);
        listeners.forEach(Runnable::run);
    }

    /** How often {@link #list()} was called: each call stands for an RTM_GETLINK dump on a real node. */
    public int listCalls() {
        return listCalls.get();
    }

    public int subscribers() {
        return listeners.size();
    }
}
