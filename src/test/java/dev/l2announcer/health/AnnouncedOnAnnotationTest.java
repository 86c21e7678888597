package dev.l2announcer.health;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.MacAddress;
import dev.l2announcer.datapath.fake.FakeDevices;
import dev.l2announcer.selection.AddressOnInterfaces;
import dev.l2announcer.selection.AnnouncementGroup;
import dev.l2announcer.selection.LeaseAddresses;
import dev.l2announcer.selection.SelectionSnapshot;
import dev.l2announcer.selection.SelectionSource;
import dev.l2announcer.selection.ServiceRef;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AnnouncedOnAnnotationTest {
    static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a");
    static final MacAddress B = MacAddress.parse("02:00:00:00:00:0b");

    @Test
    void encodesSortedReadableEntries() {
        assertThat(AnnouncedOnAnnotation.encode(Map.of("eth1", B, "eth0", A)))
                .isEqualTo("eth0=02:00:00:00:00:0a,eth1=02:00:00:00:00:0b");
        assertThat(AnnouncedOnAnnotation.encode(Map.of())).isEmpty();
    }

    @Test
    void roundTripsNamesWithSeparatorsAndNonAscii() {
        Map<String, MacAddress> in = Map.of("we,ird=%x", A, "bond0.100", B, "ethé", A);
        String encoded = AnnouncedOnAnnotation.encode(in);
        assertThat(encoded).contains("we%2Cird%3D%25x=02:00:00:00:00:0a").contains("bond0.100=");
        assertThat(AnnouncedOnAnnotation.decode(encoded)).isEqualTo(new TreeMap<>(in));
    }

    @Test
    void decodesTolerantlyOfSpacesAndUpperCase() {
        assertThat(AnnouncedOnAnnotation.decode(" eth0 = 02:00:00:00:00:0A , eth1=02:00:00:00:00:0b "))
                .containsExactlyEntriesOf(new TreeMap<>(Map.of("eth0", A, "eth1", B)));
        assertThat(AnnouncedOnAnnotation.decode("")).isEmpty();
    }

    @Test
    void rejectsMalformedValues() {
        for (String bad : List.of("eth0", "=02:00:00:00:00:0a", "eth0=02:00:00:00:0a", "eth0=zz:00:00:00:00:0a",
                "eth0=02:00:00:00:00:0a,", "eth0=02:00:00:00:00:0a,eth0=02:00:00:00:00:0b", "e%2=02:00:00:00:00:0a",
                "a=b=02:00:00:00:00:0a")) {
            assertThatThrownBy(() -> AnnouncedOnAnnotation.decode(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void observedLeaseTreatsBadAnnotationAsUnpublished() {
        assertThat(ObservedLease.of("l", "n1", Map.of(AnnouncedOnAnnotation.KEY, "garbage")).published()).isFalse();
        assertThat(ObservedLease.of("l", "n1", null).published()).isFalse();
        ObservedLease ok = ObservedLease.of("l", "n1", Map.of(AnnouncedOnAnnotation.KEY, "eth0=02:00:00:00:00:0a"));
        assertThat(ok.published()).isTrue();
        assertThat(ok.announcedOn()).containsEntry("eth0", A);
    }

    private static final Device ETH0 = new Device(2, "eth0", A, true, false, "up", "veth", 0);
    private static final Device ETH1 = new Device(3, "eth1", B, true, false, "up", "veth", 0);
    private static final Device ETH2 = new Device(4, "eth2", MacAddress.parse("02:00:00:00:00:0c"), true, false, "up", "", 0);

    private static AnnouncementGroup webGroup() throws Exception {
        return new AnnouncementGroup("cilium-l2announce-default-web", List.of(new ServiceRef("default", "web")),
                List.of(new AddressOnInterfaces(InetAddress.getByName("192.0.2.10"), List.of("eth0", "eth1")),
                        new AddressOnInterfaces(InetAddress.getByName("2001:db8::10"), List.of("eth2")),
                        new AddressOnInterfaces(InetAddress.getByName("192.0.2.11"), List.of("gone0"))),
                new TreeSet<>(List.of("n1", "n2")), true);
    }

    private static SelectionSource selectionOf(AnnouncementGroup group) {
        var snapshot = new SelectionSnapshot(1, new TreeMap<>(Map.of(group.leaseName(), group)));
        return new SelectionSource() {
            public SelectionSnapshot current() { return snapshot; }
            public AutoCloseable subscribe(Consumer<SelectionSnapshot> l) { return () -> {}; }
        };
    }

    @Test
    void hookPublishesInterfacesOfTheGroupsAddressesOfBothFamiliesWithLiveMacs() throws Exception {
        var group = webGroup();
        try (var hook = new HolderAnnotations(selectionOf(group), new FakeDevices(List.of(ETH0, ETH1, ETH2)))) {
            assertThat(hook.apply(group.leaseName())).containsOnly(
                    // eth2 carries the IPv6 address (probed with Neighbor Solicitations); gone0 has no link
                    Map.entry(AnnouncedOnAnnotation.KEY, "eth0=02:00:00:00:00:0a,eth1=02:00:00:00:00:0b,eth2=02:00:00:00:00:0c"),
                    // every address of the group, so agents can tell which group the Lease elects
                    Map.entry(LeaseAddresses.KEY, "192.0.2.10,2001:db8::10,192.0.2.11"));
            assertThat(hook.apply("cilium-l2announce-other-svc")).isEmpty();
        }
    }

    @Test
    void renewsReuseTheLinksUntilTheyChange() throws Exception {
        var group = webGroup();
        var devices = new FakeDevices(List.of(ETH0, ETH1, ETH2));
        try (var hook = new HolderAnnotations(selectionOf(group), devices)) {
            assertThat(devices.subscribers()).isEqualTo(1);
            for (int renew = 0; renew < 1000; renew++) {
                assertThat(hook.apply(group.leaseName()))
                        .containsEntry(AnnouncedOnAnnotation.KEY, "eth0=02:00:00:00:00:0a,eth1=02:00:00:00:00:0b,eth2=02:00:00:00:00:0c");
            }
            assertThat(devices.listCalls()).as("one link dump for 1000 renews").isEqualTo(1);

            // eth1 gets a new MAC: the next renew publishes it (one more dump), later renews read no links.
            MacAddress c = MacAddress.parse("02:00:00:00:00:0c");
            devices.set(List.of(ETH0, new Device(3, "eth1", c, true, false, "up", "veth", 0), ETH2));
            assertThat(hook.apply(group.leaseName()))
                    .containsEntry(AnnouncedOnAnnotation.KEY, "eth0=02:00:00:00:00:0a,eth1=02:00:00:00:00:0c,eth2=02:00:00:00:00:0c");
            hook.apply(group.leaseName());
            assertThat(devices.listCalls()).isEqualTo(2);
        }
        assertThat(devices.subscribers()).as("close ends the subscription").isZero();
    }
}
