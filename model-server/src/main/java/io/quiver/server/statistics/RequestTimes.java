package io.quiver.server.statistics;

import io.quiver.server.inference.RunTimes;

/**
 * Where one inference request spent its time: waiting for a worker, then the three parts of the
 * runs that computed its rows. A request merged with others is charged each shared run whole, as
 * Triton charges it; one too large for a batch adds up its slices.
 *
 * <p>Written by the one worker that runs the request and read once its result is complete, which
 * orders the writes before the read; nothing here needs to be atomic.
 */
public final class RequestTimes implements RunTimes {
    private final boolean warmup;
    private long queueNanos;
    private long inputNanos;
    private long inferNanos;
    private long outputNanos;

    /** The times of a client's request. */
    public RequestTimes() {
        this(false);
    }

    /** @param warmup whether the request is the server's own warm-up, counted in no statistic */
    public RequestTimes(boolean warmup) {
        this.warmup = warmup;
    }

    @Override
    public boolean warmup() {
        return warmup;
    }

    /** The request waited this long between being queued and a worker starting its run. */
    public void queued(long nanos) {
        queueNanos += nanos;
    }

    @Override
    public void ran(long inputNanos, long inferNanos, long outputNanos) {
        this.inputNanos += inputNanos;
        this.inferNanos += inferNanos;
        this.outputNanos += outputNanos;
    }

    /** Charges this request with a run it shared with others. */
    public void add(RequestTimes run) {
        ran(run.inputNanos, run.inferNanos, run.outputNanos);
    }

    public long queueNanos() {
        return queueNanos;
    }

    /** The runs' time: building inputs, inference and reading outputs. */
    public long computeNanos() {
        return inputNanos + inferNanos + outputNanos;
    }

    long inputNanos() {
        return inputNanos;
    }

    long inferNanos() {
        return inferNanos;
    }

    long outputNanos() {
        return outputNanos;
    }
}
