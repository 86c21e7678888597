package dev.l2announcer.policy;

import dev.l2announcer.testing.MockApi;
import dev.l2announcer.time.ManualTime;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The reconciler against the fabric8 mock API server (CRUD mode), called directly as JOSDK would. */
class PolicyStatusReconcilerTest {
    KubernetesMockServer server;
    KubernetesClient client;
    final ManualTime timeA = new ManualTime();
    final ManualTime timeB = new ManualTime();
    PolicyStatusReconciler nodeA;
    PolicyStatusReconciler nodeB;

    @BeforeEach
    void start() {
        server = MockApi.start();
        client = server.createClient();
        timeB.skewWall(Duration.ofSeconds(7)); // the two nodes' clocks disagree
        nodeA = new PolicyStatusReconciler(new PolicyStatusWriter(client, new PolicyStatusFactory(timeA.wallClock())));
        nodeB = new PolicyStatusReconciler(new PolicyStatusWriter(client, new PolicyStatusFactory(timeB.wallClock())));
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    CiliumL2AnnouncementPolicy create(CiliumL2AnnouncementPolicy p) {
        p.setStatus(null);
        return client.resource(p).create();
    }

    CiliumL2AnnouncementPolicy get(String name) {
        return client.resources(CiliumL2AnnouncementPolicy.class).withName(name).get();
    }

    static CiliumL2AnnouncementPolicy named(String name, CiliumL2AnnouncementPolicy p) {
        p.getMetadata().setName(name);
        p.getMetadata().setGeneration(null);
        return p;
    }

    /** Status writes (PATCH/PUT to .../status) the mock server received since the last call. */
    List<String> statusWrites() throws InterruptedException {
        List<String> writes = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
            if ((r.getMethod().equals("PATCH") || r.getMethod().equals("PUT")) && r.getPath().endsWith("/status")) {
                writes.add(r.getMethod() + " " + r.getPath());
            }
        }
        return writes;
    }

    Condition only(CiliumL2AnnouncementPolicy p) {
        assertThat(p.getStatus().getConditions()).hasSize(1);
        return p.getStatus().getConditions().getFirst();
    }

    /** Watch-driven, as in the agent: two nodes over their own policy informers write each change once. */
    @Test
    void twoAgentsFollowingTheirInformersWriteTheConditionOnceAndClearItOnce() throws Exception {
        try (var informersA = new dev.l2announcer.kubernetes.SharedInformers(client, "kube-system");
             var informersB = new dev.l2announcer.kubernetes.SharedInformers(client, "kube-system");
             var a = nodeA.watch(informersA.policies()); var b = nodeB.watch(informersB.policies())) {
            informersA.start();
            informersB.start();
            create(named("p2", PolicyStatusFactoryTest.bad(0)));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> get("p2").getStatus() != null
                    && !get("p2").getStatus().getConditions().isEmpty());
            assertThat(only(get("p2")).getStatus()).isEqualTo("True");
            String rv = get("p2").getMetadata().getResourceVersion();
            Thread.sleep(500); // both informers delivered the written object
            // One write; the other node's attempt, if it raced, got a 409 and wrote nothing after re-reading.
            assertThat(statusWrites()).hasSizeBetween(1, 2);
            assertThat(get("p2").getMetadata().getResourceVersion()).isEqualTo(rv);
        }
    }

    @Test
    void conditionsAppearAndClearAndEachChangeIsWrittenOnce() throws Exception {
        var created = create(named("p1", PolicyStatusFactoryTest.bad(0)));
        statusWrites();

        nodeA.reconcile(created);
        assertThat(statusWrites()).containsExactly(
                "PATCH /apis/cilium.io/v2alpha1/ciliuml2announcementpolicies/p1/status");
        Condition c = only(get("p1"));
        assertThat(c.getType()).isEqualTo("io.cilium/bad-service-selector");
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getReason()).isEqualTo("error");
        assertThat(c.getMessage()).isEqualTo(
                "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty");
        assertThat(c.getObservedGeneration()).isEqualTo(get("p1").getMetadata().getGeneration());
        String since = c.getLastTransitionTime();

        // The other node sees the written object (its informer delivers the MODIFIED event): no write.
        timeA.advance(Duration.ofMinutes(1));
        timeB.advance(Duration.ofMinutes(1));
        nodeB.reconcile(get("p1"));
        nodeA.reconcile(get("p1"));
        assertThat(statusWrites()).isEmpty();

        // Fix the spec: the condition goes False (empty message) with a new transition time, once.
        var fixed = get("p1");
        fixed.getSpec().setServiceSelector(new LabelSelectorBuilder().withMatchLabels(java.util.Map.of("a", "b")).build());
        fixed = client.resource(fixed).update();
        nodeB.reconcile(fixed);
        nodeA.reconcile(get("p1"));
        assertThat(statusWrites()).hasSize(1);
        Condition after = only(get("p1"));
        assertThat(after.getStatus()).isEqualTo("False");
        assertThat(after.getMessage()).isEmpty();
        assertThat(after.getObservedGeneration()).isEqualTo(fixed.getMetadata().getGeneration());
        assertThat(after.getLastTransitionTime()).isNotEqualTo(since);
    }

    @Test
    void validPolicyIsNeverWritten() throws Exception {
        var created = create(named("ok", PolicyStatusFactoryTest.good(0)));
        statusWrites();
        nodeA.reconcile(created);
        nodeB.reconcile(created);
        assertThat(statusWrites()).isEmpty();
        assertThat(get("ok").getStatus() == null || get("ok").getStatus().getConditions().isEmpty()).isTrue();
    }

    @Test
    void twoAgentsRacingOnTheSameStaleCopyProduceOneWrite() throws Exception {
        var created = create(named("race", PolicyStatusFactoryTest.bad(0)));
        String rv0 = created.getMetadata().getResourceVersion();
        statusWrites();
        PolicyStatusWriter a = new PolicyStatusWriter(client, new PolicyStatusFactory(timeA.wallClock()));
        PolicyStatusWriter b = new PolicyStatusWriter(client, new PolicyStatusFactory(timeB.wallClock()));

        // Both agents' caches hold the same pre-write copy. A wins; B's patch is rejected (409), B re-reads,
        // finds the status already right and stops.
        boolean wroteA = a.write(created);
        boolean wroteB = b.write(created);
        assertThat(wroteA).isTrue();
        assertThat(wroteB).isFalse();
        assertThat(statusWrites()).hasSize(2); // A's write and B's rejected attempt
        var stored = get("race");
        assertThat(Long.parseLong(stored.getMetadata().getResourceVersion()) - Long.parseLong(rv0)).isEqualTo(1);
        assertThat(only(stored).getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z"); // A's clock, not B's

        // And it stays put: many more rounds from both nodes write nothing (no flapping).
        for (int i = 0; i < 10; i++) {
            timeA.advance(Duration.ofSeconds(13));
            timeB.advance(Duration.ofSeconds(17));
            nodeA.reconcile(get("race"));
            nodeB.reconcile(get("race"));
        }
        assertThat(statusWrites()).isEmpty();
        assertThat(get("race").getMetadata().getResourceVersion()).isEqualTo(stored.getMetadata().getResourceVersion());
    }

    @Test
    void oneBadPolicyDoesNotAffectOthers() throws Exception {
        var bad = create(named("bad", PolicyStatusFactoryTest.bad(0)));
        var good = create(named("good", PolicyStatusFactoryTest.good(0)));
        var badRegex = PolicyValidatorTest.policy(null, new LabelSelectorBuilder().withMatchExpressions(
                new LabelSelectorRequirement("x", "Bogus", null)).build(), List.of("eth[", "ok"));
        var both = create(named("both", badRegex));
        statusWrites();
        for (var p : List.of(bad, good, both)) {
            nodeA.reconcile(p);
        }
        assertThat(statusWrites()).hasSize(2);
        assertThat(get("good").getStatus() == null || get("good").getStatus().getConditions().isEmpty()).isTrue();
        assertThat(only(get("bad")).getType()).isEqualTo("io.cilium/bad-service-selector");
        assertThat(get("both").getStatus().getConditions()).extracting(Condition::getType)
                .containsExactly("io.cilium/bad-node-selector", "io.cilium/bad-interface-regex");
        assertThat(get("both").getStatus().getConditions().get(0).getMessage())
                .isEqualTo("\"Bogus\" is not a valid label selector operator");
        assertThat(get("both").getStatus().getConditions().get(1).getMessage())
                .isEqualTo("interfaces[0] \"eth[\": error parsing regexp: missing closing ]: `[`");
    }

    @Test
    void policyDeletedBeforeTheRetryIsLeftAlone() {
        var created = create(named("gone", PolicyStatusFactoryTest.bad(0)));
        var stale = get("gone");
        // Someone else changes it (so our copy is stale), then it is deleted.
        nodeB.reconcile(created);
        client.resource(get("gone")).delete();
        assertThat(new PolicyStatusWriter(client, new PolicyStatusFactory(timeA.wallClock())).write(stale)).isFalse();
    }

    @Test
    void manyInterfaceRegexesIncludingAPathologicalOneValidate() {
        List<String> regexes = new ArrayList<>();
        for (int i = 0; i < 199; i++) {
            regexes.add("^ens" + i + "f[0-9]+$");
        }
        regexes.add("(a+)+$");
        var created = create(named("many", PolicyValidatorTest.policy(null, null, regexes)));
        nodeA.reconcile(created);
        assertThat(get("many").getStatus() == null || get("many").getStatus().getConditions().isEmpty()).isTrue();
        assertThat(PolicyValidator.validate(get("many")).matchesInterface("a".repeat(10_000) + "!")).isFalse();
    }
}

