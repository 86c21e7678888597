package dev.l2announcer.health;

import dev.l2announcer.datapath.MacAddress;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Codec of the Lease annotation in which the holder publishes where it answers ARP, so that every
 * other agent can tell which MAC must answer for the Lease's IPs:
 *
 * <pre>l2announcer.dev/announced-on: eth0=02:00:00:00:00:01,eth1=02:00:00:00:00:02</pre>
 *
 * Entries are {@code interface=mac}, sorted by interface name, joined by commas; MACs are lower-case
 * colon-separated hex. Linux allows ',' '=' and '%' in interface names (only '/', ':', whitespace
 * and NUL are rejected by dev_valid_name), so those three and any non-printable byte are
 * percent-encoded (UTF-8, {@code %2C}); ordinary names stay readable as they are.
 * An empty value means "holds the lease but announces on no interface".
 */
public final class AnnouncedOnAnnotation {
    public static final String KEY = "l2announcer.dev/announced-on";

    private AnnouncedOnAnnotation() {}

    public static String encode(Map<String, MacAddress> macByInterface) {
        StringBuilder sb = new StringBuilder();
        for (var e : new TreeMap<>(macByInterface).entrySet()) {
            if (e.getKey().isEmpty()) {
                throw new IllegalArgumentException("empty interface name");
            }
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(escape(e.getKey())).append('=').append(e.getValue());
        }
        return sb.toString();
    }

    /**
     * @throws IllegalArgumentException on anything {@link #encode} would not produce (the value
     *                                  is written by other nodes, possibly other versions: callers
     *                                  treat a bad value as "holder MACs unknown")
     */
    public static SortedMap<String, MacAddress> decode(String value) {
        SortedMap<String, MacAddress> out = new TreeMap<>();
        String v = value.strip();
        if (v.isEmpty()) {
            return Collections.unmodifiableSortedMap(out);
        }
        for (String entry : v.split(",", -1)) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq != entry.lastIndexOf('=')) {
                throw new IllegalArgumentException("expected interface=mac, got '" + entry + "'");
            }
            String name = unescape(entry.substring(0, eq).strip());
            String mac = entry.substring(eq + 1).strip();
            if (!mac.matches("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}")) {
                throw new IllegalArgumentException("bad MAC '" + mac + "' for " + name);
            }
            if (out.put(name, MacAddress.parse(mac.toLowerCase())) != null) {
                throw new IllegalArgumentException("interface " + name + " listed twice");
            }
        }
        return Collections.unmodifiableSortedMap(out);
    }

    private static String escape(String name) {
        StringBuilder sb = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c == ',' || c == '=' || c == '%' || c <= 0x20 || c >= 0x7f) {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            } else {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    private static String unescape(String s) {
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty interface name");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw new IllegalArgumentException("truncated escape in '" + s + "'");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("bad escape in '" + s + "'");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
