package dev.l2announcer.observability;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.l2announcer.config.AgentConfig;
import dev.l2announcer.config.LeaseTimings;

import java.util.ArrayList;
import java.util.List;

/** Pure sanity checks of the effective configuration for {@code dbg doctor}. */
public final class ConfigChecks {
    private ConfigChecks() {
    }

    public static List<DoctorCheck> check(AgentConfig c) {
        List<DoctorCheck> out = new ArrayList<>();
        out.add(c.enableL2Announcements()
                ? DoctorCheck.ok("config.enable-l2-announcements", "true")
                : new DoctorCheck("config.enable-l2-announcements", DoctorCheck.Status.WARN,
                        "false: the agent runs but announces nothing", List.of()));
        out.add(c.nodeName() == null || c.nodeName().isBlank()
                ? new DoctorCheck("config.node-name", DoctorCheck.Status.FAIL,
                        "empty: set NODE_NAME from the downward API (spec.nodeName)", List.of())
                : DoctorCheck.ok("config.node-name", c.nodeName()));
        // The rules are LeaseTimings' (the same ones the config loader enforces at start).
        out.add(check("config.lease-timings", LeaseTimings.assess(c.leaseDuration(), c.renewDeadline(), c.retryPeriod())));
        if (c.enableL2PodAnnouncements()) {
            String iface = c.l2PodAnnouncementsInterface();
            String pattern = c.l2PodAnnouncementsInterfacePattern();
            if (isBlank(iface) && isBlank(pattern)) {
                out.add(new DoctorCheck("config.l2-pod-announcements", DoctorCheck.Status.FAIL,
                        "enabled, but neither l2-pod-announcements-interface nor -interface-pattern is set", List.of()));
            } else if (!isBlank(pattern) && !compiles(pattern)) {
                out.add(new DoctorCheck("config.l2-pod-announcements", DoctorCheck.Status.FAIL,
                        "l2-pod-announcements-interface-pattern is not a valid RE2 expression: " + pattern, List.of()));
            } else {
                out.add(DoctorCheck.ok("config.l2-pod-announcements",
                        isBlank(pattern) ? "interface " + iface : "pattern " + pattern));
            }
        }
        return out;
    }

    /** Whether the renewals of the leases held now fit {@code k8s-client-qps} (the rule is LeaseTimings'). */
    public static DoctorCheck renewBudget(AgentConfig c, int heldLeases) {
        if (LeaseTimings.violation(c.leaseDuration(), c.renewDeadline(), c.retryPeriod()).isPresent()) {
            return DoctorCheck.ok("config.renew-budget", "not judged (invalid lease timings)");
        }
        return check("config.renew-budget", c.leaseTimings().renewBudget(heldLeases, c.k8sClientQps()));
    }

    private static DoctorCheck check(String name, LeaseTimings.Assessment a) {
        return switch (a.level()) {
            case OK -> DoctorCheck.ok(name, a.summary());
            case WARN -> new DoctorCheck(name, DoctorCheck.Status.WARN, a.summary() + ": " + a.problem(), List.of());
            case FAIL -> new DoctorCheck(name, DoctorCheck.Status.FAIL, a.summary() + ": " + a.problem(), List.of());
        };
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static boolean compiles(String re) {
        try {
            Pattern.compile(re);
            return true;
        } catch (PatternSyntaxException e) {
            return false;
        }
    }
}
