package dev.l2announcer.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What one agent process costs, read from outside: /proc for memory, CPU time and OS threads, and the
 * agent's own /q/metrics (over loopback inside its node namespace) for heap and live JVM threads.
 */
final class AgentProcessStats {
    /** USER_HZ: the unit of utime/stime in /proc/PID/stat on Linux. */
    private static final double TICKS_PER_SECOND = 100.0;
    private static final Pattern TRAILING_NUMBER = Pattern.compile("[-#_ ]?\\d+$");

    private AgentProcessStats() {
    }

    /** Resident memory in KiB: total and its anonymous / file-backed parts (/proc/PID/status). */
    record Memory(long rssKib, long anonKib, long fileKib) {
    }

    static Memory memory(long pid) {
        Map<String, Long> kib = new TreeMap<>();
        for (String line : lines(Path.of("/proc", String.valueOf(pid), "status"))) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.endsWith(" kB")) {
                kib.put(line.substring(0, colon), Long.parseLong(line.substring(colon + 1, line.length() - 3).trim()));
            }
        }
        return new Memory(kib.getOrDefault("VmRSS", -1L), kib.getOrDefault("RssAnon", -1L), kib.getOrDefault("RssFile", -1L)
                + kib.getOrDefault("RssShmem", 0L));
    }

    /** User + system CPU time of the whole process (all threads, also ended ones), in seconds. */
    static double cpuSeconds(long pid) {
        String stat = String.join(" ", lines(Path.of("/proc", String.valueOf(pid), "stat")));
        // Fields after the command name "(...)": state is field 3, utime 14, stime 15.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
    }

    /** CPU seconds (user + system) of each live thread, by thread id, with its name. */
    record ThreadCpu(String name, double seconds) {
    }

    static Map<Long, ThreadCpu> cpuByThread(long pid) {
        Map<Long, ThreadCpu> out = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            tasks.forEach(t -> {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.put(Long.parseLong(t.getFileName().toString()), new ThreadCpu(
                            TRAILING_NUMBER.matcher(name).replaceAll(""),
                            (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND));
                } catch (IOException | RuntimeException ignored) {
                    // the thread ended meanwhile
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("process " + pid + " gone", e);
        }
        return out;
    }

    /** CPU seconds per thread name spent between two {@link #cpuByThread} readings (threads alive at the end). */
    static Map<String, Double> cpuDeltaByName(Map<Long, ThreadCpu> before, Map<Long, ThreadCpu> after) {
        Map<String, Double> out = new TreeMap<>();
        after.forEach((tid, a) -> {
            ThreadCpu b = before.get(tid);
            double d = a.seconds() - (b == null ? 0 : b.seconds());
            if (d > 0) {
                out.merge(a.name(), d, Double::sum);
            }
        });
        return out;
    }

    /**
     * OS threads of the process grouped by name with the trailing number removed
     * ("vert.x-eventloop-thread-1" -> "vert.x-eventloo", names are cut to 15 characters by the kernel).
     */
    static Map<String, Integer> threadsByName(long pid) {
        Map<String, Integer> byName = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            tasks.forEach(t -> {
                try {
                    String name = Files.readString(t.resolve("comm")).trim();
                    byName.merge(TRAILING_NUMBER.matcher(name).replaceAll(""), 1, Integer::sum);
                } catch (IOException ignored) {
                    // the thread ended meanwhile
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("process " + pid + " gone", e);
        }
        return byName;
    }

    /** Sum of a Prometheus metric's samples whose labels contain {@code labelFilter} (empty: all). */
    static double metric(String prometheusText, String name, String labelFilter) {
        double sum = 0;
        boolean found = false;
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$").matcher(prometheusText);
        while (m.find()) {
            String labels = m.group(1) == null ? "" : m.group(1);
            if (labels.contains(labelFilter)) {
                sum += Double.parseDouble(m.group(2));
                found = true;
            }
        }
        return found ? sum : Double.NaN;
    }

    /** HTTP/1.0 GET on 127.0.0.1:{@code port} inside network namespace {@code netns}: status and body, or -1 if refused. */
    static Response get(String netns, int port, String path, int timeoutMillis) {
        return Netns.call(netns, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
                s.setSoTimeout(timeoutMillis);
                OutputStream out = s.getOutputStream();
                out.write(("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                int sp = text.indexOf(' ');
                int status = sp < 0 ? -1 : Integer.parseInt(text.substring(sp + 1, sp + 4));
                int body = text.indexOf("\r\n\r\n");
                return new Response(status, body < 0 ? "" : text.substring(body + 4));
            } catch (IOException e) {
                return new Response(-1, String.valueOf(e.getMessage()));
            }
        });
    }

    record Response(int status, String body) {
    }

    private static java.util.List<String> lines(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + p, e);
        }
    }
}
