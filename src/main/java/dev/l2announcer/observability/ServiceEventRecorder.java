package dev.l2announcer.observability;

import dev.l2announcer.datapath.Addresses;
import dev.l2announcer.announce.AnnouncementFailure;
import dev.l2announcer.announce.AnnouncementObserver;
import dev.l2announcer.announce.AnnouncementRow;
import dev.l2announcer.announce.ReconcileReport;
import dev.l2announcer.selection.ServiceRef;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Records {@code events.k8s.io/v1} Events on Services (MetalLB does this, Cilium does not):
 * {@code L2Announced} when this node takes a service over, {@code L2AnnounceFailed} when it cannot
 * announce an address. Rate-limited per (service, reason); written off the loop's thread with a
 * bounded queue, so a slow API server never delays the datapath.
 */
public final class ServiceEventRecorder implements AnnouncementObserver, AutoCloseable {
    public static final String REPORTING_CONTROLLER = "l2-announcer";
    public static final String ANNOUNCED = "L2Announced";
    public static final String FAILED = "L2AnnounceFailed";
    private static final Logger LOG = Logger.getLogger(ServiceEventRecorder.class);
    private static final DateTimeFormatter MICRO =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final KubernetesClient client;
    private final String nodeName;
    private final EventRateLimiter limiter;
    private final Clock clock;
    private final ExecutorService writer;

    public ServiceEventRecorder(KubernetesClient client, String nodeName, EventRateLimiter limiter, Clock clock) {
        this.client = client;
        this.nodeName = nodeName;
        this.limiter = limiter;
        this.clock = clock;
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(1024),
                r -> Thread.ofPlatform().daemon().name("l2a-events-" + nodeName).unstarted(r),
                new ThreadPoolExecutor.DiscardPolicy());
    }

    @Override
    public void reconciled(ReconcileReport report) {
        for (ReconcileReport.Takeover t : report.takeovers()) {
            String note = announcedNote(nodeName, t.rows());
            for (ServiceRef svc : t.services()) {
                record(svc, ANNOUNCED, "", "Normal", note);
            }
        }
        for (AnnouncementFailure f : report.newFailures()) {
            for (ServiceRef svc : f.services()) {
                record(svc, FAILED, f.reason().code(), "Warning", f.message(nodeName));
            }
        }
    }

    /** "announcing 192.0.2.10 from node X on eth0" (several IPs/interfaces are listed). */
    static String announcedNote(String nodeName, List<AnnouncementRow> rows) {
        String ips = rows.stream().map(r -> Addresses.format(r.ip())).distinct().collect(Collectors.joining(", "));
        String ifaces = rows.stream().map(AnnouncementRow::interfaceName).distinct().sorted()
                .collect(Collectors.joining(", "));
        return "announcing " + ips + " from node " + nodeName + " on " + ifaces;
    }

    /** A Warning Event from outside the announce loop (L2 health: split brain, no answer), rate-limited alike. */
    public void warning(ServiceRef svc, String reason, String note) {
        record(svc, reason, "", "Warning", note);
    }

    /** @param cause failure code, so different problems of one service are not rate-limited together */
    private void record(ServiceRef svc, String reason, String cause, String type, String note) {
        String key = svc + "|" + reason + "|" + cause;
        if (!limiter.tryAcquire(key)) {
            LOG.debugf("event %s on %s rate-limited: %s", reason, svc, note);
            return;
        }
        var at = clock.instant();
        writer.execute(() -> {
            try {
                Service s = client.services().inNamespace(svc.namespace()).withName(svc.name()).get();
                if (s == null) {
                    return;
                }
                Event e = new EventBuilder()
                        .withNewMetadata()
                        .withNamespace(svc.namespace())
                        .withName(svc.name() + "." + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()))
                        .endMetadata()
                        .withEventTime(new MicroTime(MICRO.format(at)))
                        .withReportingController(REPORTING_CONTROLLER)
                        .withReportingInstance(REPORTING_CONTROLLER + "-" + nodeName)
                        .withAction("Announce")
                        .withReason(reason)
                        .withType(type)
                        .withNote(note.length() > 1024 ? note.substring(0, 1024) : note)
                        .withRegarding(new ObjectReferenceBuilder()
                                .withApiVersion("v1").withKind("Service")
                                .withNamespace(svc.namespace()).withName(svc.name())
                                .withUid(s.getMetadata().getUid())
                                .withResourceVersion(s.getMetadata().getResourceVersion())
                                .build())
                        .build();
                client.resources(Event.class).inNamespace(svc.namespace()).resource(e).create();
            } catch (RuntimeException ex) {
                LOG.debugf(ex, "could not record event %s on %s", reason, svc);
            }
        });
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
