package dev.l2announcer.election;

/**
 * The invariant as the wire sees it, judged at every instant: node n's kernel answers lease l while l's IP is in
 * n's responder map and n's liveness stamp is younger than the max age ({@link ElectionModel.Node#kernelAnswers}).
 * Both are written only by tasks of n's process (its reconciler), so between two tasks of the world nothing but
 * the stamp's age changes, and an aging stamp only stops answers: over the stretch since the previous task the
 * most nodes answer at its first instant. Checking that instant, before every task runs (and when an advance
 * reaches its target), judges every instant exactly, not a sample. Frozen or killed processes are judged the same
 * way: their map and stamp stay as they were, and the kernel keeps answering until the stamp ages out.
 */
final class AnswerMonitor {
    private final ElectionModel world;
    private final String[] leases;
    /** The first instant of the stretch not yet judged: the state stood still since then. */
    private long from;

    AnswerMonitor(ElectionModel world) {
        this.world = world;
        this.leases = world.leases.keySet().toArray(String[]::new);
        this.from = world.time.nanoTime();
    }

    /** Called before every task and at the end of every advance: judges [from, now), then starts a new stretch. */
    void observe() {
        for (String lease : leases) {
            ElectionModel.Node first = null;
            for (ElectionModel.Node n : world.nodes) {
                if (!n.kernelAnswers(lease, from)) continue;
                if (first != null) {
                    throw new ModelViolation(String.format(
                            "%s answered by two kernels at %s: %s (stamp %s) and %s (stamp %s), max age %d ms",
                            lease, at(from), first.name, at(first.kernel.stamp()), n.name, at(n.kernel.stamp()),
                            world.timings.livenessMaxAge().toMillis()));
                }
                first = n;
            }
        }
        from = world.time.nanoTime();
    }

    /** An instant as seconds since the world started. */
    private String at(long nanos) {
        return String.format("%.3fs", (nanos - world.startNanos) / 1e9);
    }

    /** The invariant broke: two nodes' kernels answer one lease at one instant. */
    static final class ModelViolation extends RuntimeException {
        ModelViolation(String message) {
            super(message, null, false, false);
        }
    }
}
