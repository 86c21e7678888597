package dev.l2announcer.datapath;

import dev.l2announcer.datapath.fake.FakeResponderMap;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ResponderDiffTest {
    static ResponderEntry e(String ip, int ifindex) throws Exception {
        return new ResponderEntry((Inet4Address) InetAddress.getByName(ip), ifindex);
    }

    @Test
    void addsMissingDeletesExtraKeepsCommon() throws Exception {
        ResponderDiff d = ResponderDiff.between(Set.of(e("192.0.2.1", 2), e("192.0.2.2", 2)),
                Set.of(e("192.0.2.2", 2), e("192.0.2.3", 2), e("192.0.2.1", 3)));
        assertThat(d.toAdd()).containsExactlyInAnyOrder(e("192.0.2.3", 2), e("192.0.2.1", 3));
        assertThat(d.toDelete()).containsExactly(e("192.0.2.1", 2));
        assertThat(ResponderDiff.between(Set.of(e("192.0.2.1", 2)), Set.of(e("192.0.2.1", 2))).isEmpty()).isTrue();
    }

    @Test
    void fakeMapSyncKeepsCountersOfStayingEntries() throws Exception {
        FakeResponderMap m = new FakeResponderMap();
        m.sync(Set.of(e("192.0.2.1", 2), e("192.0.2.2", 2)));
        m.answered(e("192.0.2.1", 2));
        ResponderMap.SyncResult r = m.sync(Set.of(e("192.0.2.1", 2), e("192.0.2.3", 2)));
        assertThat(r.added()).containsExactly(e("192.0.2.3", 2));
        assertThat(r.removed()).containsExactly(e("192.0.2.2", 2));
        assertThat(m.list()).containsEntry(e("192.0.2.1", 2), 1L).containsEntry(e("192.0.2.3", 2), 0L).hasSize(2);
    }
}
