package dev.l2announcer.datapath.fake;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.ResponderProgram;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** In-memory {@link ResponderProgram}: which interfaces it is attached to (with ifindex/MAC), liveness refreshes. */
public final class FakeResponderProgram implements ResponderProgram {
    private final Map<String, Device> attached = new TreeMap<>();
    private final Set<String> refusing = new TreeSet<>();
    private final Set<String> failingDetach = new TreeSet<>();
    private int livenessRefreshes;
    private boolean answering;

    @Override
    public synchronized void attach(Device device) {
        if (refusing.contains(device.name())) {
            throw new IllegalStateException("foreign XDP program on " + device.name() + " (EBUSY)");
        }
        attached.put(device.name(), device);
    }

    @Override
    public synchronized void detach(String name) {
        if (failingDetach.remove(name)) {
            throw new IllegalStateException("detach " + name + " failed (simulated)");
        }
        attached.remove(name);
    }

    @Override
    public synchronized Set<String> attachedInterfaces() {
        return Set.copyOf(attached.keySet());
    }

    @Override
    public synchronized void refreshLiveness() {
        livenessRefreshes++;
        answering = true;
    }

    @Override
    public synchronized void stopAnswering() {
        answering = false;
    }

    /** The device as it was when last attached (ifindex, MAC written to the MAC table). */
    public synchronized Device attachedDevice(String name) {
        return attached.get(name);
    }

    /** Simulates a foreign program: attach on {@code name} fails until {@link #accept}. */
    public synchronized void refuse(String name) {
        refusing.add(name);
    }

    /** The next detach of {@code name} fails once. */
    public synchronized void failNextDetach(String name) {
        failingDetach.add(name);
    }

    public synchronized void accept(String name) {
        refusing.remove(name);
    }

    public synchronized int livenessRefreshes() {
        return livenessRefreshes;
    }

    public synchronized boolean answering() {
        return answering;
    }
}
