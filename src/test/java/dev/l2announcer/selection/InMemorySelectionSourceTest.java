package dev.l2announcer.selection;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class InMemorySelectionSourceTest {

    static SelectionSnapshot snapshot(String svc) {
        ServiceRef ref = new ServiceRef("default", svc);
        AnnouncementGroup g = new AnnouncementGroup(LeaseNames.forService(ref), List.of(ref), List.of(),
                new TreeSet<>(List.of("node-a")), true);
        TreeMap<String, AnnouncementGroup> groups = new TreeMap<>();
        groups.put(g.leaseName(), g);
        return new SelectionSnapshot(SelectionCalculator.fingerprint(groups), groups);
    }

    @Test
    void subscribersGetCurrentThenEverySetUntilClosed() throws Exception {
        InMemorySelectionSource source = new InMemorySelectionSource();
        List<SelectionSnapshot> seen = new ArrayList<>();
        AutoCloseable sub = source.subscribe(seen::add);
        assertThat(seen).containsExactly(SelectionSnapshot.EMPTY);

        SelectionSnapshot a = snapshot("a");
        source.set(a);
        source.set(a);
        assertThat(source.current()).isEqualTo(a);
        assertThat(seen).containsExactly(SelectionSnapshot.EMPTY, a, a);

        sub.close();
        source.set(snapshot("b"));
        assertThat(seen).hasSize(3);
    }

    @Test
    void aThrowingListenerDoesNotStopTheOthers() {
        InMemorySelectionSource source = new InMemorySelectionSource();
        List<SelectionSnapshot> seen = new ArrayList<>();
        source.subscribe(s -> {
            throw new IllegalStateException("broken consumer");
        });
        source.subscribe(seen::add);
        SelectionSnapshot a = snapshot("a");
        source.set(a);
        assertThat(seen).containsExactly(SelectionSnapshot.EMPTY, a);
    }
}
