package dev.l2announcer.selection;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Names of the Leases that elect an announcer, identical to Cilium's so both can be swapped in place. */
public final class LeaseNames {
    /** Cilium's {@code leasePrefix} (cilium pkg/l2announcer/l2announcer.go, newLeaseLock). */
    public static final String PREFIX = "cilium-l2announce";
    /** What every such Lease name starts with (watch filters). */
    public static final String NAME_PREFIX = PREFIX + "-";
    /** A Lease name is a DNS subdomain (RFC 1123), at most 253 characters. */
    public static final int MAX_LENGTH = 253;
    private static final int HASH_CHARS = 16;

    private LeaseNames() {
    }

    /**
     * {@code cilium-l2announce-<namespace>-<name>}, as Cilium's newLeaseLock formats it
     * ({@code fmt.Sprintf("%s-%s-%s", leasePrefix, svc.Namespace, svc.Name)}).
     *
     * <p>Valid Kubernetes names keep this at most 145 characters (namespace and Service names are
     * DNS labels of at most 63), so the result equals Cilium's for every real Service. Only a longer
     * input, which the API server would not accept, is cut and suffixed with a hash of the full name
     * so distinct services never share a lease.
     */
    public static String forService(ServiceRef service) {
        String name = NAME_PREFIX + service.namespace() + "-" + service.name();
        if (name.length() <= MAX_LENGTH) {
            return name;
        }
        String hash = HexFormat.of().formatHex(sha256(name), 0, HASH_CHARS / 2);
        String head = name.substring(0, MAX_LENGTH - HASH_CHARS - 1);
        return head + "-" + hash;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JDK", e);
        }
    }
}
