/**
 * The Linux datapath: bpf(2), libbpf, AF_PACKET, rtnetlink and setns through {@code java.lang.foreign} (FFM, no
 * JNI). Owns the pinned objects in {@code bpf-pin-dir} (program, {@code l2_responder_v4}, {@code l2_if_mac},
 * {@code l2_liveness}, one XDP link per interface) and the {@link dev.l2announcer.datapath.linux.Doctor} that
 * reports stale kernel state it does not own.
 *
 * <p>Threads: these adapters are not thread-safe unless they say so; the reconciler's thread is their only
 * writer. Blocking native calls run on platform threads (virtual threads would pin). errno is captured inside each
 * call. Invariant: one loader and one pin directory, so two maps with one name cannot come from us.
 */
package dev.l2announcer.datapath.linux;
