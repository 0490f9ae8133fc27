package io.quiver.common.concurrent;

import io.quiver.common.error.UnavailableException;
import java.util.concurrent.Semaphore;

/**
 * At most {@code capacity} requests running or waiting at once. The next one is refused at once
 * with 503 and Retry-After, so that a burst costs clients a fast retry instead of an unbounded wait.
 */
public final class AdmissionLimit {
    private final String what;
    private final int capacity;
    private final int retryAfterSeconds;
    private final Semaphore permits;

    /** {@code what} names the limited thing in the 503's message ("model house_price:1"). */
    public AdmissionLimit(String what, int capacity, int retryAfterSeconds) {
        this.what = what;
        this.capacity = capacity;
        this.retryAfterSeconds = retryAfterSeconds;
        this.permits = new Semaphore(capacity);
    }

    /** Takes a place, or throws the 503 when none is free; every successful call needs one {@link #leave}. */
    public void enter() {
        if (!permits.tryAcquire()) {
            throw new UnavailableException(what + " is busy: " + capacity
                    + " requests are running or queued; retry later", retryAfterSeconds);
        }
    }

    public void leave() {
        permits.release();
    }

    public int capacity() {
        return capacity;
    }

    /** Places taken: requests running or waiting. */
    public int inUse() {
        return capacity - permits.availablePermits();
    }
}
