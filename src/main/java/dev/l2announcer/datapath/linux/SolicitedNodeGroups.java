package dev.l2announcer.datapath.linux;

import dev.l2announcer.datapath.Addresses;
import dev.l2announcer.datapath.AddressFamily;
import dev.l2announcer.datapath.DatapathException;
import dev.l2announcer.datapath.NdpFrame;
import dev.l2announcer.datapath.ResponderEntry;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Keeps this node's interfaces joined to the solicited-node multicast group (RFC 4291 2.7.1) of every announced
 * IPv6 address, and nothing else, so the solicitations for it reach the XDP program at all.
 *
 * <p>Why a socket membership (IPV6_ADD_MEMBERSHIP, RFC 3493 5.2, on unbound AF_INET6 datagram sockets): the
 * kernel then does everything a member does. It adds 33:33:ff:XX:XX:XX to the device's multicast list (the NIC's
 * receive filter passes the group; a VIP is on no interface, so the kernel would not join it by itself), sends
 * MLD reports (unsolicited ones on join, answers to queriers, RFC 3810) so switches with MLD snooping forward the
 * group to this port, and a Done/leave record on {@link #sync leave} or when the socket is closed, also when the
 * agent dies (the kernel closes its sockets). PACKET_ADD_MEMBERSHIP would only program the NIC filter (no MLD:
 * snooping switches would still drop the solicitations, cilium#46274), and hand-made MLD reports would not answer
 * queriers. An unbound datagram socket receives nothing.
 *
 * <p>Memberships are spread over sockets of at most {@link #PER_SOCKET} each: the kernel charges each one
 * (~56 bytes) to the socket's option memory, bounded by net.core.optmem_max (20 KiB before Linux 6.9: 365
 * groups). Not thread-safe: the reconciler's thread is the only caller. Acts in the caller's network namespace.
 */
final class SolicitedNodeGroups implements AutoCloseable {
    static final int PER_SOCKET = 256;

    /** One group joined on one interface. */
    record Membership(int ifindex, Inet6Address group) {}

    private final Map<Membership, Integer> socketOf = new HashMap<>();
    private final Map<Integer, Integer> membersOf = new LinkedHashMap<>(); // fd -> memberships, in opening order
    private volatile Set<String> joined = Set.of(); // published after each sync, for any thread

    /** The memberships {@code entries} need: one per (ifindex, solicited-node group), IPv6 entries only. */
    static Set<Membership> needed(Set<ResponderEntry> entries) {
        return entries.stream().filter(e -> e.family() == AddressFamily.IPV6)
                .map(e -> new Membership(e.ifindex(), NdpFrame.solicitedNode((Inet6Address) e.ip())))
                .collect(Collectors.toSet());
    }

    /**
     * Leaves what {@code entries} no longer need, then joins what they need. Every membership is tried; the first
     * failure is thrown afterwards (the others added as suppressed), and the failed ones are tried again next time.
     * A leave whose interface is gone (ENODEV, EADDRNOTAVAIL) counts as done: the kernel dropped it with the device.
     */
    void sync(Set<ResponderEntry> entries) {
        Set<Membership> want = needed(entries);
        List<DatapathException> failures = new ArrayList<>();
        for (Membership m : List.copyOf(socketOf.keySet())) {
            if (!want.contains(m)) {
                int fd = socketOf.get(m);
                try {
                    membership(fd, Libc.IPV6_DROP_MEMBERSHIP, m);
                } catch (DatapathException e) {
                    if (e.errno() != Errno.ENODEV && e.errno() != Errno.EADDRNOTAVAIL) {
                        failures.add(e);
                        continue;
                    }
                }
                socketOf.remove(m);
                release(fd);
            }
        }
        for (Membership m : want) {
            if (socketOf.containsKey(m)) {
                continue;
            }
            int fd = socketWithRoom();
            try {
                membership(fd, Libc.IPV6_ADD_MEMBERSHIP, m);
                socketOf.put(m, fd);
                membersOf.merge(fd, 1, Integer::sum);
            } catch (DatapathException e) {
                failures.add(e);
                if (membersOf.get(fd) == 0) { // opened for this join: nothing else holds it open
                    membersOf.remove(fd);
                    Libc.close(fd);
                }
            }
        }
        joined = socketOf.keySet().stream().map(m -> m.ifindex() + "/" + Addresses.format(m.group()))
                .collect(Collectors.toCollection(TreeSet::new));
        if (!failures.isEmpty()) {
            DatapathException first = failures.getFirst();
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    /** What the last sync left joined, "ifindex/group", sorted; safe from any thread. */
    Set<String> joined() {
        return joined;
    }

    int sockets() {
        return membersOf.size();
    }

    private int socketWithRoom() {
        for (var e : membersOf.entrySet()) {
            if (e.getValue() < PER_SOCKET) {
                return e.getKey();
            }
        }
        int fd = openSocket();
        membersOf.put(fd, 0);
        return fd;
    }

    /** Closes a socket that holds no membership any more. */
    private void release(int fd) {
        int left = membersOf.merge(fd, -1, Integer::sum);
        if (left <= 0) {
            membersOf.remove(fd);
            Libc.close(fd);
        }
    }

    private static int openSocket() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.capture(a);
            int fd = (int) Libc.SOCKET.invokeExact(cap, Libc.AF_INET6, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw Errno.failure("socket(AF_INET6, SOCK_DGRAM)", Libc.errno(cap));
            }
            return fd;
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** setsockopt(IPPROTO_IPV6, IPV6_ADD/DROP_MEMBERSHIP, struct ipv6_mreq {in6_addr; int ifindex}). */
    private static void membership(int fd, int option, Membership m) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment mreq = a.allocate(20, 4);
            MemorySegment.copy(m.group().getAddress(), 0, mreq, JAVA_BYTE, 0, 16);
            mreq.set(JAVA_INT, 16, m.ifindex());
            MemorySegment cap = Libc.capture(a);
            int rc = (int) Libc.SETSOCKOPT.invokeExact(cap, fd, Libc.IPPROTO_IPV6, option, mreq, 20);
            if (rc < 0) {
                throw Errno.failure((option == Libc.IPV6_ADD_MEMBERSHIP ? "join " : "leave ") + Addresses.format(m.group())
                        + " on ifindex " + m.ifindex(), Libc.errno(cap));
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Closing the sockets leaves every group (the kernel sends the MLD leave records). */
    @Override
    public void close() {
        membersOf.keySet().forEach(Libc::close);
        membersOf.clear();
        socketOf.clear();
        joined = Set.of();
    }
}
