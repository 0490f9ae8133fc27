package io.quiver.common.concurrent;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Decides when a request runs on the thread that received it instead of being handed to its
 * queue's threads.
 *
 * <p>A hand-off costs two thread wake-ups, one to the queue's thread and one back to the thread
 * that answers, each tens of microseconds on an idle machine: more than the whole run of a small
 * model. A lone client pays them on every request. So a request runs where it arrived when:
 * <ul>
 *   <li>nothing of its queue is running or waiting;</li>
 *   <li>requests have not been overlapping: fewer than a quarter of the recent arrivals found
 *       others in progress (a smoothed share of about the last sixteen), so the receiving thread,
 *       an event loop, is unlikely to be wanted for another request meanwhile;</li>
 *   <li>the queue's recent runs predict that this one ends within the limit: the smoothed time of
 *       a run per row, times the request's rows (nothing is predicted before the first run);</li>
 *   <li>the work can start without waiting ({@code ready}: a model's session is resident, so
 *       nothing has to be loaded first).</li>
 * </ul>
 * Under concurrent load requests overlap and go through the queue, where they are merged.
 *
 * <p>The owner calls {@link #arrived(boolean, int)} under its lock for each request, and
 * {@link #ran(int, long)} after every run, from whichever thread ran it.
 */
public final class InlineRuns {
    /** Every request goes through the queue. */
    public static final InlineRuns NEVER = new InlineRuns(Duration.ZERO, () -> false);

    private static final int ONE = 1 << 16;
    private static final int MOST_BUSY = ONE / 4;
    private static final long UNKNOWN = -1;

    private final long limitNanos;
    private final BooleanSupplier ready;
    /**
     * A run's recent time per row, smoothed; {@link #UNKNOWN} before the first. Written by whichever
     * thread ran: two runs ending at once may lose one's update, which only slows the average.
     */
    private volatile long nanosPerRow = UNKNOWN;
    /** The share of recent arrivals that found others in progress, in 1/65,536ths; under the owner's lock. */
    private int busyShare;

    /**
     * @param limit  the longest predicted run taken on the receiving thread; zero turns inline runs off
     * @param ready  whether a run can start without waiting, read when a request may run inline
     */
    public InlineRuns(Duration limit, BooleanSupplier ready) {
        this.limitNanos = limit.toNanos();
        this.ready = ready;
    }

    /**
     * A request of {@code rows} arrived, finding others of its queue running or waiting
     * ({@code busy}) or not: whether it runs on the thread that received it. Call under the owner's lock.
     */
    public boolean arrived(boolean busy, int rows) {
        busyShare += ((busy ? ONE : 0) - busyShare) >> 4;
        if (busy || limitNanos <= 0 || busyShare >= MOST_BUSY) {
            return false;
        }
        long perRow = nanosPerRow;
        return perRow != UNKNOWN && perRow <= limitNanos / Math.max(1, rows) && ready.getAsBoolean();
    }

    /** A run of {@code rows} took {@code nanos}, wherever it ran. */
    public void ran(int rows, long nanos) {
        long perRow = nanos / Math.max(1, rows);
        long before = nanosPerRow;
        nanosPerRow = before == UNKNOWN ? perRow : before + (perRow - before) / 8;
    }
}
