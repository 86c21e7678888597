package dev.l2announcer.demo;

import dev.l2announcer.datapath.ArpFrame;
import dev.l2announcer.datapath.MacAddress;
import dev.l2announcer.datapath.NdpFrame;

import java.net.InetAddress;
import java.time.Instant;

/**
 * One ARP or NDP frame seen by the client, with the kernel's receive time, reduced to what a failover measurement
 * needs, whatever the family.
 *
 * @param ip        the address the frame is about: the ARP sender IP, the NA's target
 * @param senderMac who claims {@code ip}: the ARP sender hardware address, the NA's target link-layer address
 *                  (else its Ethernet source)
 * @param to        where an answer went: the ARP target IP, the NA's IPv6 destination
 */
record NeighbourPacket(Instant at, Kind kind, InetAddress ip, MacAddress senderMac, InetAddress to) {
    enum Kind {
        /** An ARP reply or a Neighbor Advertisement to one address: the answer to a request. */
        ANSWER,
        /**
         * A gratuitous ARP (request or reply form), or an advertisement to all-nodes without the Solicited flag: an
         * unsolicited NA, and also the answer to a DAD-form solicitation (an agent's health probe), which neighbours
         * treat alike (RFC 4861 7.2.5).
         */
        GRATUITOUS,
        /** A request or solicitation. */
        REQUEST
    }

    static NeighbourPacket of(Instant at, ArpFrame f) {
        Kind kind = f.isGratuitous() ? Kind.GRATUITOUS : f.op() == ArpFrame.OP_REPLY ? Kind.ANSWER : Kind.REQUEST;
        return new NeighbourPacket(at, kind, f.senderIp(), f.senderMac(), f.targetIp());
    }

    static NeighbourPacket of(Instant at, NdpFrame f) {
        if (f.isSolicitation()) {
            return new NeighbourPacket(at, Kind.REQUEST, f.target(), f.ethSrc(), f.dst());
        }
        Kind kind = f.dst().isMulticastAddress() && !f.solicited() ? Kind.GRATUITOUS : Kind.ANSWER;
        MacAddress mac = f.linkLayerAddress() != null ? f.linkLayerAddress() : f.ethSrc();
        return new NeighbourPacket(at, kind, f.target(), mac, f.dst());
    }

    boolean gratuitous() {
        return kind == Kind.GRATUITOUS;
    }
}
