package io.quiver.manager.resilience;

import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One service's circuit breaker, with MicroProfile Fault Tolerance's states and rules as the manager
 * configures them: closed, it lets every call through and judges the last
 * {@code requestVolumeThreshold} outcomes, opening when {@code failureRatio} of a full window
 * failed; open, it refuses every call for {@code delay}; then half-open, it lets one trial call
 * through (refusing the others meanwhile), whose success closes it with a fresh window and whose
 * failure opens it again.
 * <p>
 * It is the manager's own rather than SmallRye Fault Tolerance's because that one, asked from an
 * event loop, runs each call and its completion as two further tasks on the loop, each wrapped in
 * context propagation: a third of the manager's CPU per forwarded request beyond the bare Vert.x
 * proxy's (docs/benchmarks.md, "The manager's cost at fixed rates"). Here a call costs a short
 * lock on its own service's breaker when it starts and when it ends, from whichever loop.
 */
final class CircuitBreaker {
    enum State {
        CLOSED, OPEN, HALF_OPEN
    }

    private final boolean[] window;
    private final int failuresToOpen;
    private final long delayNanos;
    private final LongSupplier clock;
    private final Consumer<State> onStateChange;
    private State state = State.CLOSED;
    private int next;
    private int filled;
    private int failures;
    private long openedAt;
    private boolean trialOut;

    CircuitBreaker(int requestVolumeThreshold, double failureRatio, long delayNanos, LongSupplier clock,
                   Consumer<State> onStateChange) {
        if (requestVolumeThreshold < 1) {
            throw new IllegalArgumentException("request-volume-threshold must be at least 1");
        }
        this.window = new boolean[requestVolumeThreshold];
        // MicroProfile's rule: open when failures >= ratio * volume, so a ratio of 0 opens on a full
        // window whatever it holds, as SmallRye's breaker does.
        this.failuresToOpen = (int) Math.ceil(failureRatio * requestVolumeThreshold);
        this.delayNanos = delayNanos;
        this.clock = clock;
        this.onStateChange = onStateChange;
    }

    /**
     * Whether a call may go now. A call allowed must be followed by exactly one {@link #record},
     * which it passes on as its {@code trial}: true when it is the half-open breaker's one trial.
     *
     * @return 0 refused, 1 allowed, 2 allowed as the trial
     */
    synchronized int tryAcquire() {
        switch (state) {
            case CLOSED:
                return 1;
            case OPEN:
                if (clock.getAsLong() - openedAt < delayNanos) {
                    return 0;
                }
                change(State.HALF_OPEN);
                trialOut = true;
                return 2;
            default:
                if (trialOut) {
                    return 0;
                }
                trialOut = true;
                return 2;
        }
    }

    /** The outcome of a call {@link #tryAcquire} allowed. */
    synchronized void record(boolean failed, boolean trial) {
        if (trial) {
            trialOut = false;
            if (state != State.HALF_OPEN) {
                return;
            }
            if (failed) {
                open();
            } else {
                clearWindow();
                change(State.CLOSED);
            }
            return;
        }
        if (state != State.CLOSED) {
            // A call let through before the breaker opened: the window it belonged to is gone.
            return;
        }
        if (filled == window.length && window[next]) {
            failures--;
        }
        window[next] = failed;
        if (failed) {
            failures++;
        }
        next = (next + 1) % window.length;
        filled = Math.min(window.length, filled + 1);
        if (filled == window.length && failures >= failuresToOpen) {
            open();
        }
    }

    synchronized State state() {
        return state;
    }

    private void open() {
        openedAt = clock.getAsLong();
        clearWindow();
        change(State.OPEN);
    }

    private void clearWindow() {
        next = 0;
        filled = 0;
        failures = 0;
    }

    private void change(State now) {
        if (state != now) {
            state = now;
            onStateChange.accept(now);
        }
    }
}
