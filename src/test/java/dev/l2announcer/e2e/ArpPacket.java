package dev.l2announcer.e2e;

import dev.l2announcer.datapath.MacAddress;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/** One Ethernet/IPv4 ARP frame as seen on the wire, with the kernel's receive timestamp. */
record ArpPacket(Instant at, MacAddress ethSource, int op, MacAddress senderMac, Inet4Address senderIp,
                 MacAddress targetMac, Inet4Address targetIp) {
    static final int REQUEST = 1;
    static final int REPLY = 2;
    static final MacAddress BROADCAST = MacAddress.parse("ff:ff:ff:ff:ff:ff");
    static final MacAddress ZERO = MacAddress.parse("00:00:00:00:00:00");

    /** Parses an Ethernet frame; empty unless it is an Ethernet/IPv4 ARP packet. */
    static Optional<ArpPacket> parse(Instant at, byte[] f, int len) {
        if (len < 42 || (f[12] & 0xff) != 0x08 || (f[13] & 0xff) != 0x06) {
            return Optional.empty();
        }
        // htype 1 (Ethernet), ptype 0x0800, hlen 6, plen 4
        if (f[14] != 0 || f[15] != 1 || (f[16] & 0xff) != 0x08 || f[17] != 0 || f[18] != 6 || f[19] != 4) {
            return Optional.empty();
        }
        int op = ((f[20] & 0xff) << 8) | (f[21] & 0xff);
        return Optional.of(new ArpPacket(at, mac(f, 6), op, mac(f, 22), ip(f, 28), mac(f, 32), ip(f, 38)));
    }

    /** A 42-byte ARP frame. */
    static byte[] frame(MacAddress ethDest, MacAddress ethSource, int op, MacAddress senderMac, Inet4Address senderIp,
                        MacAddress targetMac, Inet4Address targetIp) {
        byte[] f = new byte[42];
        System.arraycopy(ethDest.bytes(), 0, f, 0, 6);
        System.arraycopy(ethSource.bytes(), 0, f, 6, 6);
        f[12] = 0x08;
        f[13] = 0x06;
        f[15] = 1;
        f[16] = 0x08;
        f[18] = 6;
        f[19] = 4;
        f[21] = (byte) op;
        System.arraycopy(senderMac.bytes(), 0, f, 22, 6);
        System.arraycopy(senderIp.getAddress(), 0, f, 28, 4);
        System.arraycopy(targetMac.bytes(), 0, f, 32, 6);
        System.arraycopy(targetIp.getAddress(), 0, f, 38, 4);
        return f;
    }

    /** Gratuitous ARP (either form): the sender announces its own address. */
    boolean gratuitous() {
        return senderIp.equals(targetIp);
    }

    private static MacAddress mac(byte[] f, int off) {
        return MacAddress.of(Arrays.copyOfRange(f, off, off + 6));
    }

    private static Inet4Address ip(byte[] f, int off) {
        try {
            return (Inet4Address) InetAddress.getByAddress(Arrays.copyOfRange(f, off, off + 4));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
