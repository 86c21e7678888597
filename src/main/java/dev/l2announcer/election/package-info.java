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
 * <p><b>Where each rule lives.</b> {@link dev.l2announcer.election.LeaseTransitions}: every transition of a
 * lease's {@link dev.l2announcer.election.LeaseState} (pure); {@link dev.l2announcer.election.TakeoverRules}:
 * when a follower tries (pure); {@link dev.l2announcer.election.RankingPlan} and
 * {@link dev.l2announcer.election.CandidateRanking}: who goes first; {@link dev.l2announcer.election.LeaseRecords}:
 * what is written; {@link dev.l2announcer.election.LeaseGarbage}: which abandoned Leases are deleted;
 * {@link dev.l2announcer.config.LeaseTimings}: every timing rule. {@link dev.l2announcer.election.LeaseElectionEngine}
 * only carries the decisions out.
 *
 * <p><b>Threads.</b> All election state is owned by the engine's one {@link dev.l2announcer.time.TaskScheduler}
 * thread ({@code l2a-election}); {@link dev.l2announcer.election.KubernetesLeaseStore}, the only class here that
 * knows fabric8, runs requests on its small IO pool and delivers watch events from the informer's thread, and both
 * hand their results to the engine's thread. Other threads read published immutable values only.
 */
package dev.l2announcer.election;
