package dev.l2announcer.datapath;

import dev.l2announcer.datapath.fake.FakeNeighbourAnnouncer;
import dev.l2announcer.datapath.fake.FakeResponderMap;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The family-neutral seams route each address to its own family's map and announcer. */
class DualStackTest {
    static final InetAddress V4 = InetAddress.ofLiteral("192.0.2.10"), V4B = InetAddress.ofLiteral("192.0.2.11");
    static final InetAddress V6 = InetAddress.ofLiteral("2001:db8::10"), V6B = InetAddress.ofLiteral("2001:db8::11");
    static final Device ETH0 = new Device(2, "eth0", new MacAddress(0x0200_0000_0002L), true, false, "up", "veth", 0);

    @Test
    void eachFamilyGoesToItsOwnMapWithinItsOwnCapacity() {
        FakeResponderMap v4 = new FakeResponderMap(1), v6 = new FakeResponderMap(1);
        DualStackResponderMap both = new DualStackResponderMap(v4, v6);
        var r = both.sync(Set.of(new ResponderEntry(V4, 2), new ResponderEntry(V6, 2), new ResponderEntry(V6B, 2)));
        assertThat(v4.list()).containsOnlyKeys(new ResponderEntry(V4, 2));
        assertThat(v6.list()).hasSize(1).allSatisfy((e, n) -> assertThat(e.family()).isEqualTo(AddressFamily.IPV6));
        assertThat(r.added()).hasSize(2);
        assertThat(r.rejected()).as("a full v6 map rejects only v6").singleElement()
                .satisfies(e -> assertThat(e.family()).isEqualTo(AddressFamily.IPV6));
        assertThat(both.list()).hasSize(2);
        assertThatThrownBy(() -> both.put(new ResponderEntry(V4B, 3))).as("the v4 map is full, whatever v6 holds")
                .hasMessageContaining("l2_responder_v4 full");
        assertThat(v6.list()).doesNotContainKey(new ResponderEntry(V4B, 3));
    }

    @Test
    void deletesAndCapacitiesAreAnsweredPerFamily() {
        FakeResponderMap v4 = new FakeResponderMap(3), v6 = new FakeResponderMap(5);
        DualStackResponderMap both = new DualStackResponderMap(v4, v6);
        both.put(new ResponderEntry(V6, 2));
        both.put(new ResponderEntry(V4, 2));
        both.delete(new ResponderEntry(V6, 2));
        assertThat(both.list()).containsOnlyKeys(new ResponderEntry(V4, 2));
        assertThat(both.capacity(AddressFamily.IPV4)).isEqualTo(v4.capacity(AddressFamily.IPV4));
        assertThat(both.capacity(AddressFamily.IPV6)).isEqualTo(v6.capacity(AddressFamily.IPV6));
    }

    @Test
    void announcementsGoToTheirFamilysAnnouncerAndEachListensOnlyForItsOwnEntries() {
        FakeNeighbourAnnouncer arp = new FakeNeighbourAnnouncer(), ndp = new FakeNeighbourAnnouncer();
        DualStackAnnouncer a = new DualStackAnnouncer(arp, ndp);
        a.announce(ETH0, V4);
        a.announce(ETH0, V6);
        assertThat(arp.sent()).extracting(FakeNeighbourAnnouncer.Sent::ip).containsExactly(V4);
        assertThat(ndp.sent()).extracting(FakeNeighbourAnnouncer.Sent::ip).containsExactly(V6);
        a.listen(Set.of(new ResponderEntry(V4, 2), new ResponderEntry(V6, 2)));
        assertThat(ndp.listening()).containsExactly(new ResponderEntry(V6, 2));
    }

    @Test
    void aFailingFamilyDoesNotStopTheOtherFromListening() {
        FakeNeighbourAnnouncer arp = new FakeNeighbourAnnouncer(), ndp = new FakeNeighbourAnnouncer();
        arp.failListenWith(new IllegalStateException("v4 failed"));
        DualStackAnnouncer a = new DualStackAnnouncer(arp, ndp);
        assertThatThrownBy(() -> a.listen(Set.of(new ResponderEntry(V6, 2)))).hasMessage("v4 failed");
        assertThat(ndp.listening()).containsExactly(new ResponderEntry(V6, 2));
    }
}
