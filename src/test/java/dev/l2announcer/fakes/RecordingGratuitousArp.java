package dev.l2announcer.fakes;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.GratuitousArp;

import java.net.Inet4Address;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test GARP sender: records what would have been sent. */
public final class RecordingGratuitousArp implements GratuitousArp {
    public record Sent(String interfaceName, Inet4Address ip) {}

    private final List<Sent> sent = new CopyOnWriteArrayList<>();

    @Override
    public void announce(Device device, Inet4Address ip) {
        sent.add(new Sent(device.name(), ip));
    }

    public List<Sent> sent() {
        return List.copyOf(sent);
    }
}
