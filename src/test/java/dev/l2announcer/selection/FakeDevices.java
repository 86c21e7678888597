package dev.l2announcer.selection;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.Devices;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** In-memory {@link Devices}: {@link #set} replaces the links and notifies subscribers. */
final class FakeDevices implements Devices {
    private volatile List<Device> devices;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    FakeDevices(Device... initial) {
        devices = List.of(initial);
    }

    void set(Device... next) {
        devices = List.of(next);
        listeners.forEach(Runnable::run);
    }

    @Override
    public List<Device> list() {
        return devices;
    }

    @Override
    public AutoCloseable subscribe(Runnable onChange) {
        listeners.add(onChange);
        return () -> listeners.remove(onChange);
    }
}
