package dev.l2announcer.policy;

import dev.l2announcer.time.ManualTime;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyStatusFactoryTest {
    final ManualTime time = new ManualTime();
    final PolicyStatusFactory factory = new PolicyStatusFactory(time.wallClock());

    static CiliumL2AnnouncementPolicy bad(long generation) {
        var p = PolicyValidatorTest.policy(new LabelSelectorBuilder().withMatchExpressions(
                new LabelSelectorRequirement("something", "NotIn", null)).build(), null, null);
        p.getMetadata().setGeneration(generation);
        return p;
    }

    static CiliumL2AnnouncementPolicy good(long generation) {
        var p = PolicyValidatorTest.policy(null, null, List.of("^eth"));
        p.getMetadata().setGeneration(generation);
        return p;
    }

    L2AnnouncementPolicyStatus desired(L2AnnouncementPolicyStatus stored, CiliumL2AnnouncementPolicy p) {
        return factory.desired(stored, PolicyValidator.validate(p));
    }

    @Test
    void validPolicyWithoutHistoryGetsNoConditions() {
        assertThat(desired(null, good(1)).getConditions()).isEmpty();
        assertThat(PolicyStatusFactory.same(desired(null, good(1)), null)).isTrue();
    }

    @Test
    void problemBecomesTrueConditionThenFalseOnceFixed() {
        L2AnnouncementPolicyStatus s1 = desired(null, bad(1));
        assertThat(s1.getConditions()).containsExactly(new ConditionBuilder()
                .withType("io.cilium/bad-service-selector").withStatus("True").withReason("error")
                .withMessage("values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty")
                .withObservedGeneration(1L).withLastTransitionTime("2026-01-01T00:00:00Z").build());

        time.advance(Duration.ofSeconds(30));
        L2AnnouncementPolicyStatus s2 = desired(s1, good(2));
        assertThat(s2.getConditions()).containsExactly(new ConditionBuilder()
                .withType("io.cilium/bad-service-selector").withStatus("False").withReason("error")
                .withMessage("").withObservedGeneration(2L).withLastTransitionTime("2026-01-01T00:00:30Z").build());
    }

    @Test
    void lastTransitionTimeMovesOnlyWhenStatusFlips() {
        L2AnnouncementPolicyStatus s1 = desired(null, bad(1));
        time.advance(Duration.ofMinutes(5));
        // same problem, new generation (e.g. an unrelated spec edit): generation moves, time does not
        L2AnnouncementPolicyStatus s2 = desired(s1, bad(2));
        assertThat(s2.getConditions().getFirst().getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(s2.getConditions().getFirst().getObservedGeneration()).isEqualTo(2L);
        // unchanged input: identical output, whatever the clock says, so no write is needed
        time.advance(Duration.ofHours(1));
        assertThat(PolicyStatusFactory.same(desired(s2, bad(2)), s2)).isTrue();
        // fixed and still fixed: False keeps its time
        L2AnnouncementPolicyStatus s3 = desired(s2, good(3));
        time.advance(Duration.ofHours(1));
        assertThat(PolicyStatusFactory.same(desired(s3, good(3)), s3)).isTrue();
        // broken again: flips to True with a new time
        time.advance(Duration.ofSeconds(1));
        L2AnnouncementPolicyStatus s4 = desired(s3, bad(4));
        assertThat(s4.getConditions().getFirst().getStatus()).isEqualTo("True");
        assertThat(s4.getConditions().getFirst().getLastTransitionTime()).isEqualTo("2026-01-01T02:05:01Z");
    }

    @Test
    void twoNodesWithDifferentClocksAgreeOnceOneHasWritten() {
        ManualTime other = new ManualTime();
        other.skewWall(Duration.ofSeconds(7));
        PolicyStatusFactory nodeB = new PolicyStatusFactory(other.wallClock());
        L2AnnouncementPolicyStatus writtenByA = desired(null, bad(1));
        assertThat(PolicyStatusFactory.same(nodeB.desired(writtenByA, PolicyValidator.validate(bad(1))), writtenByA))
                .isTrue();
    }

    @Test
    void foreignConditionsAreKeptAndOursKeepTheirPlace() {
        Condition foreign = new ConditionBuilder().withType("example.com/Other").withStatus("True")
                .withReason("X").withMessage("m").withLastTransitionTime("2025-01-01T00:00:00Z").build();
        L2AnnouncementPolicyStatus stored = new L2AnnouncementPolicyStatus();
        List<Condition> list = new ArrayList<>(desired(null, bad(1)).getConditions());
        list.add(foreign);
        stored.setConditions(list);
        var p = PolicyValidatorTest.policy(new LabelSelectorBuilder().withMatchExpressions(
                        new LabelSelectorRequirement("something", "NotIn", null)).build(), null, List.of("("));
        L2AnnouncementPolicyStatus s = desired(stored, p);
        assertThat(s.getConditions()).extracting(Condition::getType).containsExactly(
                "io.cilium/bad-service-selector", "example.com/Other", "io.cilium/bad-interface-regex");
        assertThat(s.getConditions().get(1)).isEqualTo(foreign);
    }
}
