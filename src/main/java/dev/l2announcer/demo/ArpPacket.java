package dev.l2announcer.demo;

import dev.l2announcer.datapath.ArpFrame;
import dev.l2announcer.datapath.MacAddress;

import java.net.Inet4Address;
import java.time.Instant;

/** One ARP frame seen by the client, with the kernel's receive time. */
record ArpPacket(Instant at, ArpFrame frame) {
    int op() {
        return frame.op();
    }

    MacAddress senderMac() {
        return frame.senderMac();
    }

    Inet4Address senderIp() {
        return frame.senderIp();
    }

    Inet4Address targetIp() {
        return frame.targetIp();
    }

    boolean gratuitous() {
        return frame.isGratuitous();
    }
}
