package dev.l2announcer.datapath;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Byte layout of the responder maps' keys and value, Cilium's (bpf/lib/l2_responder.h):
 * {@code struct l2_responder_v4_key {__u32 ip4; __u32 ifindex;}} (8 bytes) and
 * {@code struct l2_responder_v6_key {union v6addr ip6; __u32 ifindex; __u32 pad;}} (24 bytes). Addresses in
 * network byte order (192.0.2.100 = c0 00 02 64), {@code ifindex} in host order (little-endian on
 * x86-64/arm64), {@code pad} zero; value {@code __u64 responses_sent} in host order.
 */
public final class ResponderKeys {
    public static final int KEY_SIZE = 8, KEY_SIZE_V6 = 24, VALUE_SIZE = 8;

    private ResponderKeys() {
    }

    public static int keySize(AddressFamily family) {
        return family == AddressFamily.IPV4 ? KEY_SIZE : KEY_SIZE_V6;
    }

    /** The family whose key has {@code keySize} bytes (how a map's key size tells v4 from v6). */
    public static AddressFamily familyOfKeySize(int keySize) {
        return switch (keySize) {
            case KEY_SIZE -> AddressFamily.IPV4;
            case KEY_SIZE_V6 -> AddressFamily.IPV6;
            default -> throw new IllegalArgumentException("no responder map has " + keySize + "-byte keys");
        };
    }

    public static byte[] encode(ResponderEntry e) {
        byte[] ip = e.ip().getAddress();
        ByteBuffer b = ByteBuffer.allocate(keySize(e.family()));
        b.put(ip);
        b.order(ByteOrder.nativeOrder()).putInt(e.ifindex()); // v6: the 4 pad bytes stay zero
        return b.array();
    }

    /** Decodes a v4 (8-byte) or v6 (24-byte) key. */
    public static ResponderEntry decode(byte[] key) {
        int ipLength = familyOfKeySize(key.length) == AddressFamily.IPV4 ? 4 : 16;
        try {
            byte[] ip = new byte[ipLength];
            System.arraycopy(key, 0, ip, 0, ipLength);
            int ifindex = ByteBuffer.wrap(key, ipLength, 4).order(ByteOrder.nativeOrder()).getInt();
            // Inet6Address.getByAddress keeps an IPv4-mapped v6 key an IPv6 address (InetAddress's would not).
            InetAddress address = ipLength == 4 ? InetAddress.getByAddress(ip) : Inet6Address.getByAddress(null, ip, -1);
            return new ResponderEntry(address, ifindex);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static long decodeCounter(byte[] value) {
        return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getLong();
    }

    /** The l2_if_mac value: 6 MAC bytes + 2 pad. */
    public static byte[] encodeMac(MacAddress mac) {
        byte[] v = new byte[8];
        System.arraycopy(mac.bytes(), 0, v, 0, 6);
        return v;
    }

    public static byte[] encodeIfindex(int ifindex) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(ifindex).array();
    }
}
