package dev.l2announcer.election;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The election's only way to the API: the Leases of one namespace whose names the store selects, shaped like
 * client-go's {@code resourcelock.Interface} (Get / Create / Update, here conditional, plus Delete with a
 * precondition) and a watch of observations with a health signal. Implementations never retry on their own (a
 * retried renew could land after the renew deadline) and bound every request.
 *
 * <p>Requests complete on the store's threads; the engine hands the results to its own thread. Every result
 * says when the request was really sent: a write queued behind a burst leaves later than it was asked for, and
 * the renew deadline counts from the send.
 */
public interface LeaseStore extends AutoCloseable {
    /** The Lease as the API has it now; {@link Outcome#NOT_FOUND} when absent. */
    CompletionStage<Result> get(String name);

    /** Creates the Lease; {@link Outcome#CONFLICT} when it exists. */
    CompletionStage<Result> create(String name, LeaseContent content);

    /** Replaces {@code base}'s content, only if the Lease is still at {@code base}'s resourceVersion. */
    CompletionStage<Result> update(LeaseRecord base, LeaseContent content);

    /**
     * A write bounded by {@code timeout} instead of the store's request timeout (node heartbeats: one that hangs
     * must not delay the next beyond the fence). {@code base} null: create.
     */
    CompletionStage<Result> write(String name, LeaseRecord base, LeaseContent content, java.time.Duration timeout);

    /** Deletes the Lease, only if it is still at {@code base}'s resourceVersion. */
    CompletionStage<Result> delete(LeaseRecord base);

    /**
     * Starts delivering every version of every selected Lease (and deletions), in the order the API sent them,
     * on the store's thread. Called once.
     */
    void watch(Observer observer);

    /** Whether the watch is connected and has listed everything since it (re)connected. */
    boolean watchHealthy();

    /** The watch's current view of every selected Lease (the truth right after a (re)list). */
    List<LeaseRecord> cached();

    /** Stops the watch (from then on unhealthy) but keeps serving requests: a leaving node's last releases. */
    void stopWatch();

    /** Stops the watch and the requests; requests still queued never complete. */
    @Override
    void close();

    interface Observer {
        void upserted(LeaseRecord lease);

        void deleted(LeaseRecord lastKnown);
    }

    enum Outcome {
        OK,
        /** 409: the resourceVersion precondition failed, or the Lease already exists. */
        CONFLICT,
        /** 404. */
        NOT_FOUND,
        /** Anything else: timeout, connection refused, 5xx, the store closed. */
        FAILED
    }

    /**
     * @param lease  the Lease after the request (OK of get/create/update), else null
     * @param sentAt monotonic time at which the request left
     */
    record Result(Outcome outcome, LeaseRecord lease, String error, long sentAt) {
        public static Result ok(LeaseRecord lease, long sentAt) {
            return new Result(Outcome.OK, lease, "", sentAt);
        }

        public static Result failed(Outcome outcome, String error, long sentAt) {
            return new Result(outcome, null, error, sentAt);
        }

        public boolean ok() {
            return outcome == Outcome.OK;
        }
    }
}
