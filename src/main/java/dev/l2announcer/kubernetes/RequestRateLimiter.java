package dev.l2announcer.kubernetes;

import dev.l2announcer.time.Ticker;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import org.jboss.logging.Logger;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Client-side rate limit of the Kubernetes client, as Cilium's {@code k8s-client-qps} /
 * {@code k8s-client-burst} do for client-go: a token bucket of {@code burst} tokens refilled at
 * {@code qps} per second; every request (including each retry and each watch start) takes a token
 * and waits for it when the bucket is empty. fabric8 has no such option, so it is an HTTP
 * {@link Interceptor} on the client.
 *
 * <p>Tokens are reserved (golang.org/x/time/rate semantics, which client-go uses): a request that
 * must not block, because it is issued from a Vert.x event-loop thread, takes its token without
 * waiting and the debt delays the requests after it; the rate over time still holds.
 *
 * <p>Lease requests of the election have priority: they take their token and never wait, so other traffic
 * (event bursts, status writes, relists) can never starve a renewal into missing its deadline; their debt delays
 * the other requests instead. Renewals alone are held leases / retryPeriod per second: size {@code k8s-client-qps}
 * above that ({@link dev.l2announcer.config.LeaseTimings#renewBudget}), or the rest of the agent's requests wait.
 */
public final class RequestRateLimiter implements Interceptor {
    public static final String NAME = "l2-announcer-rate-limit";
    private static final Logger LOG = Logger.getLogger(RequestRateLimiter.class);
    private static final long LOG_WAIT_NANOS = 1_000_000_000L; // client-go logs waits above 1s too

    /** Waits; production parks the thread, tests advance a manual clock. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    private final double qps;
    private final int burst;
    private final Ticker ticker;
    private final Sleeper sleeper;
    private final BooleanSupplier mayBlock;
    private final java.util.function.Predicate<HttpRequest> priority;
    private double tokens;
    private long last;

    public RequestRateLimiter(double qps, int burst, Ticker ticker, Sleeper sleeper, BooleanSupplier mayBlock) {
        this(qps, burst, ticker, sleeper, mayBlock, r -> false);
    }

    public RequestRateLimiter(double qps, int burst, Ticker ticker, Sleeper sleeper, BooleanSupplier mayBlock,
                              java.util.function.Predicate<HttpRequest> priority) {
        if (!(qps > 0) || burst < 1) {
            throw new IllegalArgumentException("qps must be > 0 and burst >= 1");
        }
        this.qps = qps;
        this.burst = burst;
        this.ticker = ticker;
        this.sleeper = sleeper;
        this.mayBlock = mayBlock;
        this.priority = priority;
        this.tokens = burst;
        this.last = ticker.nanoTime();
    }

    /** The production limiter: monotonic time, parks the calling thread, never blocks an event loop. */
    public static RequestRateLimiter of(double qps, int burst) {
        return new RequestRateLimiter(qps, burst, Ticker.system(), LockSupport::parkNanos,
                () -> !io.vertx.core.Context.isOnEventLoopThread(), RequestRateLimiter::isLeaseRequest);
    }

    /** A request on one Lease (get, create, update, delete): the election's; not a list or watch of Leases. */
    static boolean isLeaseRequest(HttpRequest request) {
        String path = request.uri().getRawPath();
        String query = request.uri().getRawQuery();
        boolean watch = query != null && query.contains("watch=");
        return !watch && (LEASE_ITEM.matcher(path).matches()
                || "POST".equals(request.method()) && LEASE_COLLECTION.matcher(path).matches());
    }

    private static final java.util.regex.Pattern LEASE_ITEM =
            java.util.regex.Pattern.compile("/apis/coordination\\.k8s\\.io/v1/namespaces/[^/]+/leases/[^/]+");
    private static final java.util.regex.Pattern LEASE_COLLECTION =
            java.util.regex.Pattern.compile("/apis/coordination\\.k8s\\.io/v1/namespaces/[^/]+/leases/?");

    /** Takes a token and returns how long the caller must wait for it (0 when one was available). */
    synchronized long reserve() {
        long now = ticker.nanoTime();
        tokens = Math.min(burst, tokens + (now - last) * qps / 1e9);
        last = now;
        tokens -= 1;
        return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / qps * 1e9);
    }

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        long wait = reserve();
        if (wait <= 0 || !mayBlock.getAsBoolean() || request != null && priority.test(request)) {
            return;
        }
        if (wait > LOG_WAIT_NANOS) {
            LOG.infof("Waiting %.3fs due to client-side throttling (k8s-client-qps=%s, k8s-client-burst=%d), request: %s:%s",
                    wait / 1e9, qps, burst, request.method(), request.uri());
        }
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
