package dev.l2announcer.datapath.fake;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.GratuitousArp;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;

/** Records every announcement instead of sending it. */
public final class FakeGratuitousArp implements GratuitousArp {
    public record Sent(String interfaceName, int ifindex, Inet4Address ip) {}

    private final List<Sent> sent = new ArrayList<>();
    private RuntimeException failure;

    @Override
    public synchronized void announce(Device device, Inet4Address ip) {
        if (failure != null) {
            throw failure;
        }
        sent.add(new Sent(device.name(), device.ifindex(), ip));
    }

    public synchronized List<Sent> sent() {
        return List.copyOf(sent);
    }

    public synchronized void clear() {
        sent.clear();
    }

    /** Every announce throws {@code e} until called again with null. */
    public synchronized void failWith(RuntimeException e) {
        failure = e;
    }
}
