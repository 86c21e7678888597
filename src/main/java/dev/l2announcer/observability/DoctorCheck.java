package dev.l2announcer.observability;

import java.util.List;

/**
 * One line of {@code dbg doctor}.
 *
 * @param confirm commands a human runs to confirm the finding (bpftool, kubectl)
 */
public record DoctorCheck(String check, Status status, String detail, List<String> confirm) {
    public enum Status { OK, WARN, FAIL }

    public DoctorCheck {
        confirm = List.copyOf(confirm);
    }

    public static DoctorCheck ok(String check, String detail) {
        return new DoctorCheck(check, Status.OK, detail, List.of());
    }
}
