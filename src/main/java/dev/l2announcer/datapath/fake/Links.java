package dev.l2announcer.datapath.fake;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.MacAddress;

import java.util.List;

/** Link sets for in-memory nodes (tests, the simulated demo), on the datapath's {@link FakeDevices}. */
public final class Links {
    private Links() {
    }

    public static Device eth0(int macLastByte) {
        return new Device(2, "eth0", new MacAddress(0x02_00_5e_00_00_00L + macLastByte), true, false, "up", "veth", 0);
    }

    public static Device lo() {
        return new Device(1, "lo", null, true, true, "unknown", "", 0);
    }

    /** lo plus one up veth named eth0 (ifindex 2) whose MAC ends in {@code macLastByte}. */
    public static FakeDevices loAndEth0(int macLastByte) {
        return new FakeDevices(List.of(lo(), eth0(macLastByte)));
    }
}
