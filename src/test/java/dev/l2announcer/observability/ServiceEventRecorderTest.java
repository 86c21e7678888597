package dev.l2announcer.observability;

import dev.l2announcer.announce.AnnouncementFailure;
import dev.l2announcer.announce.AnnouncementRow;
import dev.l2announcer.announce.AnnouncementTable;
import dev.l2announcer.announce.ReconcileReport;
import dev.l2announcer.selection.ServiceRef;
import dev.l2announcer.testing.MockApi;
import dev.l2announcer.time.ManualTime;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ServiceEventRecorderTest {
    private KubernetesMockServer server;
    private KubernetesClient client;
    private final ManualTime time = new ManualTime();
    private ServiceEventRecorder recorder;
    private static final ServiceRef SVC = new ServiceRef("default", "web");

    @BeforeEach
    void setUp() {
        server = MockApi.start();
        client = server.createClient();
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("web")
                .withNamespace("default").endMetadata().withNewSpec().withType("LoadBalancer").endSpec()
                .build()).create();
        recorder = new ServiceEventRecorder(client, "node-a", new EventRateLimiter(time, 2, Duration.ofMinutes(1)),
                time.wallClock());
    }

    @AfterEach
    void tearDown() {
        recorder.close();
        client.close();
        server.destroy();
    }

    private List<Event> events() {
        return client.resources(Event.class).inNamespace("default").list().getItems();
    }

    private static ReconcileReport takeover() throws Exception {
        AnnouncementRow row = new AnnouncementRow(InetAddress.getByName("192.0.2.10"), "eth0", List.of(SVC),
                "cilium-l2announce-default-web", Instant.EPOCH);
        return new ReconcileReport(new AnnouncementTable(List.of(row)), Set.of(), Set.of(),
                List.of(new ReconcileReport.Takeover("cilium-l2announce-default-web", List.of(SVC), List.of(row))),
                List.of(), List.of(), 0, Duration.ZERO);
    }

    private static ReconcileReport failure(AnnouncementFailure.Reason reason) throws Exception {
        AnnouncementFailure f = new AnnouncementFailure("cilium-l2announce-default-web", List.of(SVC),
                InetAddress.getByName("2001:db8::10"), "", reason);
        return new ReconcileReport(AnnouncementTable.EMPTY, Set.of(), Set.of(), List.of(), List.of(f), List.of(f), 0,
                Duration.ZERO);
    }

    @Test
    void takeoverRecordsAnL2AnnouncedEventOnTheService() throws Exception {
        recorder.reconciled(takeover());
        await().atMost(Duration.ofSeconds(5)).until(() -> events().size() == 1);
        Event e = events().getFirst();
        assertThat(e.getReason()).isEqualTo("L2Announced");
        assertThat(e.getType()).isEqualTo("Normal");
        assertThat(e.getNote()).isEqualTo("announcing 192.0.2.10 from node node-a on eth0");
        assertThat(e.getReportingController()).isEqualTo("l2-announcer");
        assertThat(e.getReportingInstance()).isEqualTo("l2-announcer-node-a");
        assertThat(e.getRegarding().getKind()).isEqualTo("Service");
        assertThat(e.getRegarding().getName()).isEqualTo("web");
        assertThat(e.getRegarding().getUid())
                .isEqualTo(client.services().inNamespace("default").withName("web").get().getMetadata().getUid());
        assertThat(e.getEventTime()).isNotNull();
    }

    @Test
    void failureRecordsAWarningWithTheReason() throws Exception {
        recorder.reconciled(failure(AnnouncementFailure.Reason.NO_USABLE_INTERFACE));
        await().atMost(Duration.ofSeconds(5)).until(() -> events().size() == 1);
        Event e = events().getFirst();
        assertThat(e.getReason()).isEqualTo("L2AnnounceFailed");
        assertThat(e.getType()).isEqualTo("Warning");
        assertThat(e.getNote()).contains("cannot announce 2001:db8::10 from node node-a", "NoUsableInterface");
    }

    @Test
    void eventsAreRateLimitedPerServiceAndReason() throws Exception {
        for (int i = 0; i < 5; i++) {
            recorder.reconciled(failure(AnnouncementFailure.Reason.MAP_FULL));
        }
        recorder.reconciled(failure(AnnouncementFailure.Reason.NO_USABLE_INTERFACE)); // another reason: own bucket
        await().atMost(Duration.ofSeconds(5)).until(() -> events().size() == 3);
        time.advance(Duration.ofMinutes(1));
        recorder.reconciled(failure(AnnouncementFailure.Reason.MAP_FULL));
        await().atMost(Duration.ofSeconds(5)).until(() -> events().size() == 4);
        recorder.close(); // drains the writer: nothing else is queued
        assertThat(events()).hasSize(4);
        assertThat(events()).filteredOn(e -> e.getNote().contains("ResponderMapFull")).hasSize(3);
    }

    @Test
    void noEventForAServiceThatIsGone() throws Exception {
        client.services().inNamespace("default").withName("web").delete();
        recorder.reconciled(takeover());
        recorder.close();
        assertThat(events()).isEmpty();
    }
}
