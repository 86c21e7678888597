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
        LeaseTimings.Assessment timings = LeaseTimings.assess(c.leaseDuration(), c.renewDeadline(), c.retryPeriod());
        out.add(switch (timings.level()) {
            case OK -> DoctorCheck.ok("config.lease-timings", timings.summary());
            case WARN -> new DoctorCheck("config.lease-timings", DoctorCheck.Status.WARN,
                    timings.summary() + ": " + timings.problem(), List.of());
            case FAIL -> new DoctorCheck("config.lease-timings", DoctorCheck.Status.FAIL,
                    timings.summary() + ": " + timings.problem(), List.of());
        });
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
