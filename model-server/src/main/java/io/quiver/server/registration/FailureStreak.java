package io.quiver.server.registration;

import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Consecutive failed calls to the model-manager: how long to wait before the next attempt (1 s,
 * doubling, never more than the heartbeat interval) and one log line per streak rather than one per
 * attempt, so that a manager that is down for an hour does not flood the log.
 */
final class FailureStreak {
    private static final Logger LOG = Logger.getLogger(FailureStreak.class);
    static final Duration FIRST_DELAY = Duration.ofSeconds(1);

    private final Duration cap;
    private Duration nextDelay;
    private int failures;

    FailureStreak(Duration cap) {
        this.cap = cap;
        this.nextDelay = min(FIRST_DELAY, cap);
    }

    /** Counts a failure and answers the wait before the next attempt. */
    Duration failed(String what, String reason) {
        if (failures == 0) {
            LOG.warnf("%s failed (%s); retrying, with waits growing to %d ms, until it succeeds", what, reason, cap.toMillis());
        }
        failures++;
        Duration delay = nextDelay;
        nextDelay = min(nextDelay.multipliedBy(2), cap);
        return delay;
    }

    void succeeded(String what) {
        if (failures > 0) {
            LOG.infof("%s succeeded after %d failed attempts", what, failures);
        }
        failures = 0;
        nextDelay = min(FIRST_DELAY, cap);
    }

    int failures() {
        return failures;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
