package dev.l2announcer.selection;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

import static dev.l2announcer.selection.Scenario.svc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AnnouncementGroupTest {

    private static AnnouncementGroup group(SortedSet<String> candidates) {
        return new AnnouncementGroup("cilium-l2announce-default-web", List.of(new ServiceRef("default", "web")),
                List.of(), candidates, false);
    }

    @Test
    void candidatesAreASortedCopyThatNeitherCallerNorReaderCanChange() {
        TreeSet<String> mine = new TreeSet<>(List.of("node-b", "node-a"));
        AnnouncementGroup g = group(mine);
        mine.add("node-c");
        assertThat(g.candidates()).containsExactly("node-a", "node-b");
        assertThat(g.candidates().first()).isEqualTo("node-a");
        assertThat(g.candidates().headSet("node-b")).containsExactly("node-a");
        assertThatThrownBy(() -> g.candidates().add("node-z")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> { var it = g.candidates().iterator(); it.next(); it.remove(); }).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> g.candidates().removeIf(n -> true)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> g.candidates().headSet("node-b").clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> group(new TreeSet<>()).candidates().clear()).isInstanceOf(UnsupportedOperationException.class);
        // Value semantics are those of a set: equal to any set with the same names.
        assertThat(g).isEqualTo(group(new TreeSet<>(List.of("node-a", "node-b"))));
        assertThat(g.candidates()).isEqualTo(new TreeSet<>(List.of("node-a", "node-b")))
                .hasSameHashCodeAs(new TreeSet<>(List.of("node-a", "node-b")));
        assertThat(g.candidates()).hasToString("[node-a, node-b]");
    }

    @Test
    void groupsWithTheSameCandidatesShareOneSet() {
        SelectionSnapshot s = new Scenario()
                .node("node-a", Map.of())
                .node("node-b", Map.of())
                .policy("p")
                .service(svc("default", "web").lb("192.0.2.10"))
                .service(svc("default", "api").lb("192.0.2.11"))
                .compute();
        List<AnnouncementGroup> groups = new ArrayList<>(s.groups().values());
        assertThat(groups).hasSize(2);
        assertThat(groups.get(0).candidates()).contains("node-a", "node-b")
                .isSameAs(groups.get(1).candidates());
        // Rebuilding a group from a group's candidates keeps the shared set, not a copy.
        AnnouncementGroup copy = group(groups.get(0).candidates());
        assertThat(copy.candidates()).isSameAs(groups.get(0).candidates());
    }
}
