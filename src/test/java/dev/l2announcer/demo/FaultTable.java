package dev.l2announcer.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fault suite's table, one row per fault: trials, IP x trial samples, probes answered by two MACs, the
 * unanswered time per IP (median / max over the samples) against its bound, and the recovery time per trial.
 * Rendered as Markdown; rows appear in the order faults were first recorded.
 */
final class FaultTable {
    private static final class Row {
        int trials;
        long duals;
        final List<Duration> unanswered = new ArrayList<>();
        final List<Duration> recovery = new ArrayList<>();
        String unansweredBound = "";
        String recoveryBound = "";
        final java.util.Set<String> notes = new java.util.LinkedHashSet<>();
    }

    private final Map<String, Row> rows = new LinkedHashMap<>();

    /** One trial of {@code fault}: its IPs' unanswered times, its dual-answered probes and its recovery (null: none). */
    synchronized void trial(String fault, List<Duration> unansweredPerIp, String unansweredBound, long duals,
                            Duration recovery, String recoveryBound) {
        Row r = rows.computeIfAbsent(fault, k -> new Row());
        r.trials++;
        r.duals += duals;
        r.unanswered.addAll(unansweredPerIp);
        r.unansweredBound = unansweredBound;
        if (recovery != null) {
            r.recovery.add(recovery);
            r.recoveryBound = recoveryBound;
        }
    }

    /** A remark for the row's last column (each distinct remark once). */
    synchronized void note(String fault, String text) {
        rows.computeIfAbsent(fault, k -> new Row()).notes.add(text);
    }

    synchronized boolean isEmpty() {
        return rows.isEmpty();
    }

    synchronized String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("| fault | trials | IP x trial samples | instants with two MACs | unanswered per IP, median / max | bound |"
                + " recovery, median / max | bound | checked |\n");
        b.append("|---|---:|---:|---:|---:|---|---:|---|---|\n");
        rows.forEach((fault, r) -> b.append("| ").append(fault)
                .append(" | ").append(r.trials)
                .append(" | ").append(r.unanswered.size())
                .append(" | ").append(r.duals)
                .append(" | ").append(pair(r.unanswered))
                .append(" | ").append(r.unansweredBound)
                .append(" | ").append(pair(r.recovery))
                .append(" | ").append(r.recovery.isEmpty() ? "" : r.recoveryBound)
                .append(" | ").append(String.join("; ", r.notes))
                .append(" |\n"));
        return b.toString();
    }

    private static String pair(List<Duration> v) {
        if (v.isEmpty()) {
            return "-";
        }
        Duration max = v.stream().max(Duration::compareTo).orElseThrow();
        return ms(TimingSummary.median(v)) + " / " + ms(max);
    }

    static String ms(Duration d) {
        long ms = Math.round(d.toNanos() / 1e6);
        return ms == 0 ? "0" : ms + " ms";
    }
}
