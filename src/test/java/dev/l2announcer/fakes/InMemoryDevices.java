package dev.l2announcer.fakes;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.Devices;
import dev.l2announcer.datapath.MacAddress;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test links; {@link #set} notifies subscribers as rtnetlink would. */
public final class InMemoryDevices implements Devices {
    private volatile List<Device> devices;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    public InMemoryDevices(List<Device> devices) {
        this.devices = List.copyOf(devices);
    }

    /** A single up veth named eth0 with ifindex 2 and a MAC derived from {@code macLastByte}. */
    public static InMemoryDevices eth0(int macLastByte) {
        return new InMemoryDevices(List.of(
                new Device(1, "lo", null, true, true, "unknown", "", 0),
                new Device(2, "eth0", new MacAddress(0x02_00_5e_00_00_00L + macLastByte), true, false, "up", "veth", 0)));
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

    public void set(List<Device> next) {
        devices = List.copyOf(next);
        listeners.forEach(Runnable::run);
    }
}
