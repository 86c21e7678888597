package dev.l2announcer.time;

/**
 * Monotonic time source for deadlines (lease renew deadlines, debouncing, liveness).
 * Never compare it with wall-clock timestamps written by other nodes: that is what makes
 * the election safe against clock skew. Tests inject a manual implementation.
 */
@FunctionalInterface
public interface Ticker {
    long nanoTime();

    static Ticker system() {
        return System::nanoTime;
    }
}
