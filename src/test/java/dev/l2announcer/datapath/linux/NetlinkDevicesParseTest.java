package dev.l2announcer.datapath.linux;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.MacAddress;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** rtnetlink RTM_NEWLINK parsing on hand-built messages (runs without root). */
class NetlinkDevicesParseTest {

    static byte[] attr(int type, byte[] data) {
        int len = 4 + data.length;
        ByteBuffer b = ByteBuffer.allocate((len + 3) & ~3).order(ByteOrder.nativeOrder());
        b.putShort((short) len).putShort((short) type).put(data);
        return b.array();
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    static byte[] str(String s) {
        return (s + "\0").getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    static byte[] msg(int type, int flags, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(16 + payload.length).order(ByteOrder.nativeOrder());
        b.putInt(16 + payload.length).putShort((short) type).putShort((short) flags).putInt(1).putInt(0).put(payload);
        return b.array();
    }

    static byte[] newlink(int ifindex, int ifFlags, byte[] attrs) {
        ByteBuffer ifi = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        ifi.put((byte) 0).put((byte) 0).putShort((short) 1).putInt(ifindex).putInt(ifFlags).putInt(0);
        return msg(16, 2, cat(ifi.array(), attrs));
    }

    @Test
    void parsesNameMacOperstateKindAndXdpProgram() {
        byte[] link = newlink(7, 1 /* IFF_UP */, cat(
                attr(3, str("eth0")),
                attr(1, new byte[]{2, 0, 0, (byte) 0xaa, (byte) 0xbb, (byte) 0xcc}),
                attr(16, new byte[]{6}),
                attr(18 | 0x8000 /* NLA_F_NESTED */, attr(1, str("veth"))),
                attr(43 | 0x8000, cat(attr(2, new byte[]{2, 0, 0, 0}), attr(4, u32(42))))));
        byte[] lo = newlink(1, 1 | 8, cat(attr(3, str("lo")), attr(1, new byte[6]), attr(16, new byte[]{0})));
        List<Device> out = new ArrayList<>();
        boolean done = NetlinkDevices.parseMessages(ByteBuffer.wrap(cat(link, lo, msg(3, 2, u32(0)))).order(ByteOrder.nativeOrder()), out);
        assertThat(done).isTrue();
        assertThat(out).containsExactly(
                new Device(7, "eth0", MacAddress.parse("02:00:00:aa:bb:cc"), true, false, "up", "veth", 42),
                new Device(1, "lo", new MacAddress(0), true, true, "unknown", "", 0));
    }

    @Test
    void interruptedDumpIsRejectedSoItIsTakenAgain() {
        byte[] link = newlink(7, 1, attr(3, str("eth0")));
        link[6] = 0x12; // NLM_F_MULTI | NLM_F_DUMP_INTR (little-endian low byte)
        assertThatThrownBy(() -> NetlinkDevices.parseMessages(ByteBuffer.wrap(link).order(ByteOrder.nativeOrder()), new ArrayList<>()))
                .isInstanceOf(RuntimeException.class);
    }
}
