package dev.l2announcer.datapath;

import java.net.Inet6Address;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * An Ethernet + IPv6 + ICMPv6 Neighbor Solicitation or Advertisement (RFC 4861 sections 4.3, 4.4), the NDP
 * sibling of {@link ArpFrame}: encoded with a correct ICMPv6 checksum, parsed back for captures and probes.
 *
 * @param flags               NA flags in the message's top bits ({@link #ROUTER}, {@link #SOLICITED},
 *                            {@link #OVERRIDE}); 0 for a solicitation
 * @param linkLayerAddress    the source (NS) or target (NA) link-layer address option, or null when absent
 */
public record NdpFrame(MacAddress ethDst, MacAddress ethSrc, Inet6Address src, Inet6Address dst, int hopLimit,
                       int type, int flags, Inet6Address target, MacAddress linkLayerAddress) {
    public static final int ETH_P_IPV6 = 0x86dd;
    public static final int IPPROTO_ICMPV6 = 58;
    public static final int TYPE_SOLICITATION = 135, TYPE_ADVERTISEMENT = 136;
    public static final int ROUTER = 0x8000_0000, SOLICITED = 0x4000_0000, OVERRIDE = 0x2000_0000;
    static final int OPTION_SOURCE_LLA = 1, OPTION_TARGET_LLA = 2;
    private static final int ETH = 14, IP6 = 40, ND_FIXED = 24;
    public static final Inet6Address UNSPECIFIED = v6(new byte[16]);
    /** ff02::1, all nodes on the link. */
    public static final Inet6Address ALL_NODES = v6(new byte[] {(byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});

    /**
     * The unsolicited advertisement sent when this node starts answering for {@code ip} (RFC 4861 7.2.6): to
     * all-nodes, S=0, O=1 (so neighbours that have an entry for the IP replace it, 7.2.5), source = the IP itself
     * (as Linux' ndisc_send_unsol_na), target link-layer address = our MAC, hop limit 255.
     */
    public static NdpFrame unsolicitedAdvertisement(MacAddress mac, Inet6Address ip) {
        return new NdpFrame(multicastMac(ALL_NODES), mac, ip, ALL_NODES, 255, TYPE_ADVERTISEMENT, OVERRIDE, ip, mac);
    }

    /**
     * A multicast solicitation for {@code target} (to its solicited-node group, RFC 4861 7.2.2), with a source
     * link-layer address option unless {@code src} is {@code ::} (a DAD probe, RFC 4862 5.4.2: no receiver learns
     * anything from it, the IPv6 counterpart of an RFC 5227 ARP probe).
     */
    public static NdpFrame solicitation(MacAddress from, Inet6Address src, Inet6Address target) {
        Inet6Address group = solicitedNode(target);
        return new NdpFrame(multicastMac(group), from, src, group, 255, TYPE_SOLICITATION, 0, target,
                src.equals(UNSPECIFIED) ? null : from);
    }

    public boolean isSolicitation() {
        return type == TYPE_SOLICITATION;
    }

    public boolean isAdvertisement() {
        return type == TYPE_ADVERTISEMENT;
    }

    public boolean router() {
        return (flags & ROUTER) != 0;
    }

    public boolean solicited() {
        return (flags & SOLICITED) != 0;
    }

    public boolean override() {
        return (flags & OVERRIDE) != 0;
    }

    /** ff02::1:ff00:0/104 + the low 24 bits of {@code ip} (RFC 4291 section 2.7.1). */
    public static Inet6Address solicitedNode(Inet6Address ip) {
        byte[] a = ip.getAddress();
        return v6(new byte[] {(byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, (byte) 0xff, a[13], a[14], a[15]});
    }

    /** 33:33 + the low 32 bits of an IPv6 multicast group (RFC 2464 section 7). */
    public static MacAddress multicastMac(Inet6Address group) {
        byte[] g = group.getAddress();
        return MacAddress.of(new byte[] {0x33, 0x33, g[12], g[13], g[14], g[15]});
    }

    public byte[] encode() {
        return encode(new byte[0]);
    }

    /** As {@link #encode()} with {@code extraOptions} (whole options, multiples of 8 bytes) after the link-layer one. */
    public byte[] encode(byte[] extraOptions) {
        int icmpLength = ND_FIXED + (linkLayerAddress == null ? 0 : 8) + extraOptions.length;
        ByteBuffer b = ByteBuffer.allocate(ETH + IP6 + icmpLength);
        b.put(ethDst.bytes()).put(ethSrc.bytes()).putShort((short) ETH_P_IPV6);
        b.putInt(0x6000_0000).putShort((short) icmpLength).put((byte) IPPROTO_ICMPV6).put((byte) hopLimit);
        b.put(src.getAddress()).put(dst.getAddress());
        b.put((byte) type).put((byte) 0).putShort((short) 0).putInt(flags).put(target.getAddress());
        if (linkLayerAddress != null) {
            b.put((byte) (type == TYPE_SOLICITATION ? OPTION_SOURCE_LLA : OPTION_TARGET_LLA)).put((byte) 1)
                    .put(linkLayerAddress.bytes());
        }
        b.put(extraOptions);
        byte[] frame = b.array();
        int sum = checksum(frame, ETH + IP6 + icmpLength);
        frame[ETH + IP6 + 2] = (byte) (sum >>> 8);
        frame[ETH + IP6 + 3] = (byte) sum;
        return frame;
    }

    /**
     * The ICMPv6 checksum field value for the frame's IPv6 pseudo-header (RFC 8200 section 8.1) and message, computed
     * with the field taken as zero. A received frame is intact when this equals the field.
     */
    public static int checksum(byte[] frame, int length) {
        int icmpLength = ((frame[ETH + 4] & 0xff) << 8) | (frame[ETH + 5] & 0xff);
        long sum = 0;
        for (int i = ETH + 8; i < ETH + 40; i += 2) { // source and destination addresses
            sum += ((frame[i] & 0xff) << 8) | (frame[i + 1] & 0xff);
        }
        sum += icmpLength + IPPROTO_ICMPV6;
        int end = Math.min(length, ETH + IP6 + icmpLength);
        for (int i = ETH + IP6; i < end; i += 2) {
            if (i == ETH + IP6 + 2) {
                continue; // the checksum field
            }
            int hi = frame[i] & 0xff, lo = i + 1 < end ? frame[i + 1] & 0xff : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    /** Whether a captured frame's ICMPv6 checksum is correct. */
    public static boolean checksumValid(byte[] frame, int length) {
        if (length < ETH + IP6 + 4) {
            return false;
        }
        int field = ((frame[ETH + IP6 + 2] & 0xff) << 8) | (frame[ETH + IP6 + 3] & 0xff);
        return checksum(frame, length) == field;
    }

    /**
     * Empty for anything that is not an Ethernet/IPv6 frame carrying an ICMPv6 solicitation or advertisement
     * directly (no extension headers). The first link-layer address option of the matching kind is kept.
     */
    public static Optional<NdpFrame> parse(byte[] frame, int length) {
        if (length < ETH + IP6 + ND_FIXED || frame.length < length) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(frame, 0, length);
        MacAddress dstMac = mac(b), srcMac = mac(b);
        if ((b.getShort() & 0xffff) != ETH_P_IPV6 || (b.getInt() >>> 28) != 6) {
            return Optional.empty();
        }
        int icmpLength = b.getShort() & 0xffff;
        int next = b.get() & 0xff, hopLimit = b.get() & 0xff;
        Inet6Address src = ip(b), dst = ip(b);
        int type = b.get() & 0xff;
        if (next != IPPROTO_ICMPV6 || (type != TYPE_SOLICITATION && type != TYPE_ADVERTISEMENT)
                || icmpLength < ND_FIXED || ETH + IP6 + icmpLength > length) {
            return Optional.empty();
        }
        b.get(); // code
        b.getShort(); // checksum
        int flags = b.getInt() & 0xe000_0000;
        if (type == TYPE_SOLICITATION) {
            flags = 0; // reserved
        }
        Inet6Address target = ip(b);
        MacAddress lla = null;
        int wanted = type == TYPE_SOLICITATION ? OPTION_SOURCE_LLA : OPTION_TARGET_LLA;
        for (int off = ETH + IP6 + ND_FIXED; off + 2 <= ETH + IP6 + icmpLength; ) {
            int optType = frame[off] & 0xff, optLength = (frame[off + 1] & 0xff) * 8;
            if (optLength == 0 || off + optLength > ETH + IP6 + icmpLength) {
                break;
            }
            if (optType == wanted && optLength == 8 && lla == null) {
                byte[] m = new byte[6];
                System.arraycopy(frame, off + 2, m, 0, 6);
                lla = MacAddress.of(m);
            }
            off += optLength;
        }
        return Optional.of(new NdpFrame(dstMac, srcMac, src, dst, hopLimit, type, flags, target, lla));
    }

    private static MacAddress mac(ByteBuffer b) {
        byte[] m = new byte[6];
        b.get(m);
        return MacAddress.of(m);
    }

    private static Inet6Address ip(ByteBuffer b) {
        byte[] a = new byte[16];
        b.get(a);
        return v6(a);
    }

    /** Always an {@link Inet6Address} (also for IPv4-mapped bytes), without scope. */
    public static Inet6Address v6(byte[] a) {
        try {
            return Inet6Address.getByAddress(null, a, -1);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
