/**
 * Leader election of announcement groups: one {@code coordination.k8s.io/v1} Lease per group
 * ({@code cilium-l2announce-<namespace>-<service>}), written exactly as client-go's leader election writes it.
 *
 * <p><b>The safety model</b> (client-go's {@code leaderelection.go} states the same for one elector). A node is
 * a holder only after a conditional write (the resourceVersion it observed) naming it succeeded, and only if the
 * answer came within renewDeadline of the request being sent. It stays a holder while its last successful renew
 * was sent less than renewDeadline ago, on its own monotonic clock; then it stands down whatever its requests
 * are doing. Another node takes a Lease over only leaseDurationSeconds after it observed the last version, on its
 * own monotonic clock, and only while its watch is connected and synced (after a reconnect every observation
 * restarts). Since renewDeadline &lt; leaseDuration (whole seconds), the old holder has stood down before anyone
 * can observe the Lease expired: no wall clock is compared, so clock skew cannot break this. A holder that
 * stops on purpose stands down first and writes the release afterwards. As in client-go this relies on the
 * clocks' rates, not their values: a frozen process is the datapath's fence ({@code LivenessTiming}).
 *
 * <p><b>The fast path</b> (node heartbeats, {@code l2-announcements-heartbeat-interval} I, default 200 ms). Each
 * node renews one Lease of its own ({@code l2announcer-node-<node>}) every I, conditionally on its last version.
 * A holder answers only while its last successful beat was sent less than the fence (2 I) ago, or while the
 * candidates agreed on a common API outage. A follower that has seen no new version of a holder's beat for the
 * expiry (3.5 I, on its own clock) suspects it dead, and <em>claims</em> the beat: a conditional write on the
 * version it last saw, marked {@code l2announcer.dev/heartbeat-claimed-by}. A late watch makes a live holder look
 * dead; its newer beat then makes the claim a 409, so a successful claim proves no beat landed since that version:
 * the holder's fence lapsed at most 2 I after that version's send, which is before the follower's suspicion
 * (observed after the send, plus 3.5 I), and the holder's kernel stamps stop a max age (I) later, half an interval
 * before anyone can take over. Nor can the holder come back unnoticed: its next beat is a 409 on the claim, it
 * reads the claim, stands down from every lease and acquires nothing for renewDeadline and until a beat after that
 * is written (the quarantine). The claim licenses takeovers of the holder's unexpired leases answered within
 * renewDeadline less half an interval of the claim's send: every licensed takeover lands while the old holder
 * can hold nothing; later takeovers are given back unannounced. Another node's claim delivered by the watch
 * licenses the same way from the stream floor (the send of this node's newest beat delivered before it: the claim
 * committed after that), so one claim serves every candidate. The Service Leases stay the arbiter: every
 * takeover is still a conditional write, and without heartbeats (or against a Cilium agent) the lease model alone
 * decides.
 *
 * <p><b>Where each rule lives.</b> {@link dev.l2announcer.election.LeaseTransitions}: every transition of a
 * lease's {@link dev.l2announcer.election.LeaseState} (pure); {@link dev.l2announcer.election.TakeoverRules}:
 * when a follower tries (pure); {@link dev.l2announcer.election.RankingPlan} and
 * {@link dev.l2announcer.election.CandidateRanking}: who goes first; {@link dev.l2announcer.election.LeaseRecords}:
 * what is written; {@link dev.l2announcer.election.LeaseGarbage}: which abandoned Leases are deleted;
 * {@link dev.l2announcer.config.LeaseTimings}: every timing rule; {@link dev.l2announcer.election.NodeHeartbeats}: the
 * fast path's bookkeeping (fence, claims, licenses, quarantine, stream floor), sent and routed by
 * {@link dev.l2announcer.election.HeartbeatRounds}. {@link dev.l2announcer.election.LeaseElectionEngine}
 * only carries the decisions out.
 *
 * <p><b>Threads.</b> All election state is owned by the engine's one {@link dev.l2announcer.time.TaskScheduler}
 * thread ({@code l2a-election}); {@link dev.l2announcer.election.KubernetesLeaseStore}, the only class here that
 * knows fabric8, runs requests on its small IO pool and delivers watch events from the informer's thread, and both
 * hand their results to the engine's thread. Other threads read published immutable values only.
 */
package dev.l2announcer.election;
