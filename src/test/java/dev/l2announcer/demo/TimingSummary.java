package dev.l2announcer.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Measured durations per scenario, printed as a Markdown table (median/min/max over repetitions). */
final class TimingSummary {
    private record Row(List<Duration> values, String bound) {
    }

    private final Map<String, Row> rows = new LinkedHashMap<>();

    synchronized void add(String what, Duration value, String bound) {
        rows.computeIfAbsent(what, k -> new Row(new ArrayList<>(), bound)).values().add(value);
    }

    synchronized boolean isEmpty() {
        return rows.isEmpty();
    }

    static Duration median(List<Duration> values) {
        List<Duration> s = values.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : s.get(n / 2 - 1).plus(s.get(n / 2)).dividedBy(2);
    }

    synchronized String table() {
        StringBuilder b = new StringBuilder();
        b.append("| measurement | n | median | min | max | bound |\n");
        b.append("|---|---:|---:|---:|---:|---|\n");
        rows.forEach((what, r) -> {
            List<Duration> v = r.values();
            b.append("| ").append(what).append(" | ").append(v.size())
                    .append(" | ").append(ms(median(v)))
                    .append(" | ").append(ms(v.stream().min(Duration::compareTo).orElseThrow()))
                    .append(" | ").append(ms(v.stream().max(Duration::compareTo).orElseThrow()))
                    .append(" | ").append(r.bound()).append(" |\n");
        });
        return b.toString();
    }

    static String ms(Duration d) {
        return String.format("%.0f ms", d.toNanos() / 1e6);
    }
}
