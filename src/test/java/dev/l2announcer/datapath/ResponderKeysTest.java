package dev.l2announcer.datapath;

import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

class ResponderKeysTest {
    @Test
    void ipIsNetworkOrderAndIfindexHostOrder() throws Exception {
        ResponderEntry e = new ResponderEntry((Inet4Address) InetAddress.getByName("192.0.2.100"), 0x01020304);
        // x86-64/arm64 are little-endian: ifindex bytes reversed, IP bytes as on the wire.
        assertThat(HexFormat.of().formatHex(ResponderKeys.encode(e))).isEqualTo("c0000264" + "04030201");
        assertThat(ResponderKeys.decode(ResponderKeys.encode(e))).isEqualTo(e);
    }

    @Test
    void counterAndMacValues() {
        assertThat(ResponderKeys.decodeCounter(HexFormat.of().parseHex("0500000000000000"))).isEqualTo(5L);
        assertThat(HexFormat.of().formatHex(ResponderKeys.encodeMac(MacAddress.parse("02:00:00:aa:bb:cc"))))
                .isEqualTo("020000aabbcc0000");
        assertThat(HexFormat.of().formatHex(ResponderKeys.encodeIfindex(7))).isEqualTo("07000000");
    }
}
