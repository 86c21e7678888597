package dev.l2announcer.selection;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Parses IP literals from Service fields without ever resolving a name, and orders addresses.
 * Accepts what Go's netip.ParseAddr accepts for the forms Kubernetes stores (Cilium parses
 * externalIPs and ingress IPs with it and skips what fails: pkg/l2announcer/l2announcer.go,
 * desiredEntries): dotted-quad IPv4 without leading zeros, and IPv6 without a zone.
 */
final class IpLiterals {
    private static final Pattern IPV4 = Pattern.compile(
            "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

    /** IPv4 before IPv6, then by unsigned address bytes: a stable order for snapshots. */
    static final Comparator<InetAddress> ORDER = (a, b) -> {
        byte[] x = a.getAddress();
        byte[] y = b.getAddress();
        if (x.length != y.length) {
            return Integer.compare(x.length, y.length);
        }
        return java.util.Arrays.compareUnsigned(x, y);
    };

    private IpLiterals() {
    }

    static Optional<InetAddress> parse(String literal) {
        if (literal == null || literal.isEmpty()) {
            return Optional.empty();
        }
        try {
            if (IPV4.matcher(literal).matches()) {
                return Optional.of(Inet4Address.ofLiteral(literal));
            }
            if (literal.indexOf(':') >= 0 && IPV6_CHARS.matcher(literal).matches()) {
                return Optional.of(Inet6Address.ofLiteral(literal));
            }
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
