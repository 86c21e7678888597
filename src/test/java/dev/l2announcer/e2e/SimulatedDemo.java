package dev.l2announcer.e2e;

/** Placeholder until the agent's in-process assembly lands; see the report. */
final class SimulatedDemo {
    private SimulatedDemo() {
    }

    static void run(boolean follow) {
        System.out.println("The simulated demo is not available in this build.");
        System.exit(2);
    }
}
