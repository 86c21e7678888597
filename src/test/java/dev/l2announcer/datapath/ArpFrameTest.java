package dev.l2announcer.datapath;

import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

class ArpFrameTest {
    static final MacAddress MAC = MacAddress.parse("02:00:00:aa:bb:cc");

    static Inet4Address ip(String s) throws Exception {
        return (Inet4Address) InetAddress.getByName(s);
    }

    @Test
    void gratuitousRequestHasTheWireLayoutOfARequestForOurOwnIp() throws Exception {
        byte[] f = ArpFrame.gratuitousRequest(MAC, ip("192.0.2.100")).encode();
        assertThat(HexFormat.of().formatHex(f)).isEqualTo(
                "ffffffffffff" + "020000aabbcc" + "0806"
                        + "0001" + "0800" + "06" + "04" + "0001"
                        + "020000aabbcc" + "c0000264"
                        + "000000000000" + "c0000264");
    }

    @Test
    void gratuitousReplyCarriesOurMacAsTarget() throws Exception {
        byte[] f = ArpFrame.gratuitousReply(MAC, ip("192.0.2.100")).encode();
        assertThat(HexFormat.of().formatHex(f, 20, 22)).isEqualTo("0002");
        assertThat(HexFormat.of().formatHex(f, 32, 38)).isEqualTo("020000aabbcc");
        assertThat(HexFormat.of().formatHex(f, 0, 6)).isEqualTo("ffffffffffff");
    }

    @Test
    void parseRoundTripsAndAcceptsPaddedFrames() throws Exception {
        ArpFrame req = ArpFrame.request(MAC, ip("192.0.2.2"), ip("192.0.2.100"));
        byte[] padded = new byte[60];
        System.arraycopy(req.encode(), 0, padded, 0, 42);
        assertThat(ArpFrame.parse(padded, 60)).contains(req);
        assertThat(req.isGratuitous()).isFalse();
        assertThat(ArpFrame.gratuitousRequest(MAC, ip("192.0.2.100")).isGratuitous()).isTrue();
    }

    @Test
    void parseRejectsNonArpAndShortFrames() throws Exception {
        byte[] f = ArpFrame.request(MAC, ip("192.0.2.2"), ip("192.0.2.100")).encode();
        assertThat(ArpFrame.parse(f, 41)).isEmpty();
        byte[] ipv4 = f.clone();
        ipv4[12] = 0x08;
        ipv4[13] = 0x00;
        assertThat(ArpFrame.parse(ipv4, 42)).isEmpty();
        byte[] ipv6Arp = f.clone();
        ipv6Arp[16] = (byte) 0x86;
        ipv6Arp[17] = (byte) 0xdd;
        assertThat(ArpFrame.parse(ipv6Arp, 42)).isEmpty();
    }
}
