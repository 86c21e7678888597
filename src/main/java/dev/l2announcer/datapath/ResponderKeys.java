package dev.l2announcer.datapath;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Byte layout of the l2_responder_v4 key and value (Cilium's {@code struct l2_responder_v4_key}):
 * {@code ip4} in network byte order (192.0.2.100 = c0 00 02 64), {@code ifindex} in host order
 * (little-endian on x86-64/arm64), value {@code __u64 responses_sent} in host order.
 */
public final class ResponderKeys {
    public static final int KEY_SIZE = 8, VALUE_SIZE = 8;

    private ResponderKeys() {
    }

    public static byte[] encode(ResponderEntry e) {
        ByteBuffer b = ByteBuffer.allocate(KEY_SIZE);
        b.put(e.ip().getAddress());
        b.order(ByteOrder.nativeOrder()).putInt(e.ifindex());
        return b.array();
    }

    public static ResponderEntry decode(byte[] key) {
        try {
            byte[] ip = new byte[4];
            System.arraycopy(key, 0, ip, 0, 4);
            int ifindex = ByteBuffer.wrap(key, 4, 4).order(ByteOrder.nativeOrder()).getInt();
            return new ResponderEntry((Inet4Address) InetAddress.getByAddress(ip), ifindex);
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
