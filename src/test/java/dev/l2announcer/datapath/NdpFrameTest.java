package dev.l2announcer.datapath;

import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wire layout of the NDP frames the agent sends and parses. The expected bytes (checksums included) were computed
 * independently of this code, with a few lines of Python over RFC 8200 section 8.1's pseudo-header.
 */
class NdpFrameTest {
    static final MacAddress MAC = MacAddress.parse("02:00:00:aa:bb:cc");
    static final Inet6Address VIP = v6("2001:db8::100");

    static Inet6Address v6(String s) {
        return (Inet6Address) InetAddress.ofLiteral(s);
    }

    @Test
    void unsolicitedAdvertisementGoesToAllNodesWithOverrideAndOurMac() {
        byte[] f = NdpFrame.unsolicitedAdvertisement(MAC, VIP).encode();
        assertThat(HexFormat.of().formatHex(f)).isEqualTo(
                "333300000001" + "020000aabbcc" + "86dd"
                        + "60000000" + "0020" + "3a" + "ff"
                        + "20010db8000000000000000000000100" + "ff020000000000000000000000000001"
                        + "88" + "00" + "3ab7" + "20000000" + "20010db8000000000000000000000100"
                        + "02" + "01" + "020000aabbcc");
        assertThat(NdpFrame.checksumValid(f, f.length)).isTrue();
    }

    @Test
    void solicitationGoesToTheTargetsSolicitedNodeGroupWithASourceLinkLayerOption() {
        byte[] f = NdpFrame.solicitation(MAC, v6("2001:db8::2"), VIP).encode();
        assertThat(HexFormat.of().formatHex(f)).isEqualTo(
                "3333ff000100" + "020000aabbcc" + "86dd"
                        + "60000000" + "0020" + "3a" + "ff"
                        + "20010db8000000000000000000000002" + "ff0200000000000000000001ff000100"
                        + "87" + "00" + "5db4" + "00000000" + "20010db8000000000000000000000100"
                        + "01" + "01" + "020000aabbcc");
    }

    @Test
    void aDadProbeHasNoSourceLinkLayerOption() {
        NdpFrame dad = NdpFrame.solicitation(MAC, NdpFrame.UNSPECIFIED, VIP);
        assertThat(dad.linkLayerAddress()).isNull();
        byte[] f = dad.encode();
        assertThat(f).hasSize(14 + 40 + 24);
        assertThat(NdpFrame.checksumValid(f, f.length)).isTrue();
    }

    @Test
    void solicitedNodeGroupAndItsMacUseTheLow24And32Bits() {
        assertThat(NdpFrame.solicitedNode(v6("2001:db8::1:2345:6789"))).isEqualTo(v6("ff02::1:ff45:6789"));
        assertThat(NdpFrame.multicastMac(v6("ff02::1:ff45:6789"))).isEqualTo(MacAddress.parse("33:33:ff:45:67:89"));
    }

    @Test
    void parseRoundTripsFlagsTargetAndOptionAndKeepsTheChecksumHonest() {
        NdpFrame na = new NdpFrame(MAC, MacAddress.parse("02:00:00:00:00:01"), VIP, v6("2001:db8::2"), 255,
                NdpFrame.TYPE_ADVERTISEMENT, NdpFrame.SOLICITED | NdpFrame.OVERRIDE, VIP, MAC);
        byte[] f = na.encode(new byte[] {14, 1, 1, 2, 3, 4, 5, 6}); // a nonce option after ours
        assertThat(NdpFrame.parse(f, f.length)).contains(na);
        assertThat(na.solicited()).isTrue();
        assertThat(na.override()).isTrue();
        assertThat(na.router()).isFalse();
        assertThat(NdpFrame.checksumValid(f, f.length)).isTrue();
        f[f.length - 1] ^= 1;
        assertThat(NdpFrame.checksumValid(f, f.length)).as("one flipped bit in an option").isFalse();
    }

    @Test
    void parseRejectsOtherIcmpv6AndShortOrTruncatedFrames() {
        byte[] f = NdpFrame.solicitation(MAC, v6("2001:db8::2"), VIP).encode();
        assertThat(NdpFrame.parse(f, 14 + 40 + 23)).isEmpty();
        byte[] echo = f.clone();
        echo[14 + 40] = (byte) 128;
        assertThat(NdpFrame.parse(echo, echo.length)).isEmpty();
        byte[] udp = f.clone();
        udp[14 + 6] = 17;
        assertThat(NdpFrame.parse(udp, udp.length)).isEmpty();
        byte[] longer = f.clone();
        longer[14 + 5] = 40; // payload length beyond the frame
        assertThat(NdpFrame.parse(longer, longer.length)).isEmpty();
    }
}
