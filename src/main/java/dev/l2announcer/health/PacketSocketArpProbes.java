package dev.l2announcer.health;

import dev.l2announcer.datapath.ArpFrame;
import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.linux.ArpSocket;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * ARP probes on the datapath's AF_PACKET {@link ArpSocket}. Each probe is an RFC 5227 ARP probe:
 * sender IP 0.0.0.0, so no receiver learns or refreshes a neighbour entry from it (the probing node
 * may not even have an address on the segment); our responder and Linux both answer such probes,
 * unicast to the prober's MAC with target IP 0.0.0.0. A reply counts for an IP when it is an ARP
 * reply with that sender IP addressed to our interface's MAC (other nodes' probes may be flooded to
 * us by a bridge that has not learnt their MAC yet). RTT: {@link ProbeWindow}.
 * Blocking (poll): call from a platform thread; the socket lives in the caller's network namespace.
 */
public final class PacketSocketArpProbes implements ProbeTransport {
    private static final Inet4Address UNSPECIFIED;

    static {
        try {
            UNSPECIFIED = (Inet4Address) InetAddress.getByAddress(new byte[4]);
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public Map<InetAddress, List<ProbeReply>> probe(Device via, List<InetAddress> ips, Duration window) {
        if (ips.isEmpty()) {
            return Map.of();
        }
        ProbeWindow w = new ProbeWindow();
        try (ArpSocket socket = new ArpSocket(via.ifindex())) {
            for (InetAddress address : ips) {
                if (!(address instanceof Inet4Address ip)) {
                    throw new IllegalArgumentException("ARP probes are for IPv4, not " + address.getHostAddress());
                }
                w.sending(ip);
                socket.send(ArpFrame.request(via.mac(), UNSPECIFIED, ip));
            }
            return w.collect(socket, window, rx -> rx.arp()
                    .filter(f -> f.op() == ArpFrame.OP_REPLY && f.targetMac().equals(via.mac()))
                    .map(f -> new ProbeWindow.Answer(f.senderIp(), f.senderMac())));
        }
    }
}
