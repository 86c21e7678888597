package dev.l2announcer.health;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.NdpFrame;
import dev.l2announcer.datapath.linux.NdpSocket;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * IPv6 VIP probes, the NDP counterpart of {@link PacketSocketArpProbes}: each probe is a duplicate address detection
 * solicitation (RFC 4862 5.4.2: source ::, to the target's solicited-node group, no source link-layer address), so
 * no receiver learns or refreshes a neighbour entry from it and the probing node needs no IPv6 address. It carries
 * a nonce option (RFC 7527, as Linux' own DAD probes) so it is 32 octets like the advertisement that answers it.
 * Who has the address answers to all-nodes (RFC 4861 7.2.4; our XDP responder does, see ebpf/l2_responder.bpf.c,
 * and so does Linux for an address it owns); an advertisement counts for an IP when its target is that IP and its
 * checksum is right, and the responder is its target link-layer address option (what a client would store),
 * else its Ethernet source. Caveat of multicast answers: an answer to another node's probe for the same IP in the
 * same window counts too (same responders, an RTT that may be shorter). RTT: {@link ProbeWindow}.
 * Blocking (poll): call from a platform thread; the socket lives in the caller's network namespace.
 */
public final class PacketSocketNdpProbes implements ProbeTransport {
    private static final SecureRandom NONCES = new SecureRandom();
    private static final int OPTION_NONCE = 14;

    @Override
    public Map<InetAddress, List<ProbeReply>> probe(Device via, List<InetAddress> ips, Duration window) {
        if (ips.isEmpty()) {
            return Map.of();
        }
        ProbeWindow w = new ProbeWindow();
        try (NdpSocket socket = new NdpSocket(via.ifindex())) {
            for (InetAddress address : ips) {
                if (!(address instanceof Inet6Address ip)) {
                    throw new IllegalArgumentException("NDP probes are for IPv6, not " + address.getHostAddress());
                }
                byte[] nonce = new byte[8];
                NONCES.nextBytes(nonce);
                nonce[0] = OPTION_NONCE;
                nonce[1] = 1;
                w.sending(ip);
                socket.send(NdpFrame.solicitation(via.mac(), NdpFrame.UNSPECIFIED, ip).encode(nonce));
            }
            return w.collect(socket, window, rx -> rx.ndp()
                    .filter(f -> f.isAdvertisement() && NdpFrame.checksumValid(rx.frame(), rx.length()))
                    .map(f -> new ProbeWindow.Answer(f.target(), f.linkLayerAddress() != null ? f.linkLayerAddress() : f.ethSrc())));
        }
    }
}
