package dev.l2announcer.datapath;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * An Ethernet + ARP (Ethernet/IPv4) frame, 42 bytes on the wire (without padding/FCS).
 *
 * @param op 1 = request, 2 = reply
 */
public record ArpFrame(MacAddress ethDst, MacAddress ethSrc, int op, MacAddress senderMac, Inet4Address senderIp,
                       MacAddress targetMac, Inet4Address targetIp) {
    public static final int LENGTH = 42;
    public static final int ETH_P_ARP = 0x0806;
    public static final int OP_REQUEST = 1, OP_REPLY = 2;
    public static final MacAddress BROADCAST = new MacAddress(0xffff_ffff_ffffL);
    public static final MacAddress ZERO = new MacAddress(0);

    public static ArpFrame request(MacAddress from, Inet4Address senderIp, Inet4Address targetIp) {
        return new ArpFrame(BROADCAST, from, OP_REQUEST, from, senderIp, ZERO, targetIp);
    }

    /**
     * Gratuitous request form: sender IP = target IP, target MAC zero, broadcast. Updates existing
     * neighbour entries on receivers even with arp_accept=0.
     */
    public static ArpFrame gratuitousRequest(MacAddress mac, Inet4Address ip) {
        return new ArpFrame(BROADCAST, mac, OP_REQUEST, mac, ip, ZERO, ip);
    }

    /** Gratuitous reply form: target MAC = own MAC, broadcast (MetalLB sends both forms). */
    public static ArpFrame gratuitousReply(MacAddress mac, Inet4Address ip) {
        return new ArpFrame(BROADCAST, mac, OP_REPLY, mac, ip, mac, ip);
    }

    public boolean isGratuitous() {
        return senderIp.equals(targetIp);
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(LENGTH);
        b.put(ethDst.bytes()).put(ethSrc.bytes()).putShort((short) ETH_P_ARP);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) op);
        b.put(senderMac.bytes()).put(senderIp.getAddress()).put(targetMac.bytes()).put(targetIp.getAddress());
        return b.array();
    }

    /** Empty for anything that is not an Ethernet/IPv4 ARP frame. */
    public static Optional<ArpFrame> parse(byte[] frame, int length) {
        if (length < LENGTH || frame.length < LENGTH) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(frame, 0, length);
        MacAddress dst = mac(b), src = mac(b);
        if ((b.getShort() & 0xffff) != ETH_P_ARP || b.getShort() != 1 || b.getShort() != 0x0800 || b.get() != 6
                || b.get() != 4) {
            return Optional.empty();
        }
        int op = b.getShort() & 0xffff;
        MacAddress sha = mac(b);
        Inet4Address spa = ip(b);
        MacAddress tha = mac(b);
        Inet4Address tpa = ip(b);
        return Optional.of(new ArpFrame(dst, src, op, sha, spa, tha, tpa));
    }

    private static MacAddress mac(ByteBuffer b) {
        byte[] m = new byte[6];
        b.get(m);
        return MacAddress.of(m);
    }

    private static Inet4Address ip(ByteBuffer b) {
        byte[] a = new byte[4];
        b.get(a);
        try {
            return (Inet4Address) InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
