package io.quiver.manager.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quiver.manager.resilience.CircuitBreaker.State;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A service's breaker opens on a window of failures, refuses calls while open, lets one trial
 * through after its delay and closes on that trial's success; the clock is the test's, so the
 * delay passes without waiting.
 */
class CircuitBreakerTest {
    private static final long DELAY = TimeUnit.SECONDS.toNanos(5);
    private final AtomicLong now = new AtomicLong();
    private final List<State> changes = new ArrayList<>();
    private final CircuitBreaker breaker = new CircuitBreaker(10, 0.5, DELAY, now::get, changes::add);

    /** Makes one call with the outcome given; false when the breaker refused it. */
    private boolean call(boolean fails) {
        int permit = breaker.tryAcquire();
        if (permit == 0) {
            return false;
        }
        breaker.record(fails, permit == 2);
        return true;
    }

    @Test
    void staysClosedWhileFewerThanHalfOfTheLastTenFail() {
        for (int i = 0; i < 100; i++) {
            assertEquals(true, call(i % 10 < 4), "call " + i);
        }
        assertEquals(State.CLOSED, breaker.state());
        assertEquals(List.of(), changes);
    }

    @Test
    void opensWhenHalfOfAFullWindowFailedAndRefusesUntilItsDelayHasPassed() {
        for (int i = 0; i < 9; i++) {
            call(true);
        }
        assertEquals(State.CLOSED, breaker.state(), "nine outcomes are not a full window of ten");
        call(true);
        assertEquals(State.OPEN, breaker.state());
        now.addAndGet(DELAY - 1);
        assertEquals(false, call(false), "refused while open");
        now.addAndGet(1);
        int trial = breaker.tryAcquire();
        assertEquals(2, trial, "after the delay one call goes as the trial");
        assertEquals(State.HALF_OPEN, breaker.state());
        assertEquals(0, breaker.tryAcquire(), "a second call is refused while the trial is out");
        breaker.record(false, true);
        assertEquals(State.CLOSED, breaker.state());
        assertEquals(List.of(State.OPEN, State.HALF_OPEN, State.CLOSED), changes);
    }

    @Test
    void aFailedTrialOpensItAgainForAnotherDelay() {
        for (int i = 0; i < 10; i++) {
            call(i % 2 == 0);
        }
        assertEquals(State.OPEN, breaker.state(), "five failures of ten open it");
        now.addAndGet(DELAY);
        assertEquals(true, call(true), "the trial goes");
        assertEquals(State.OPEN, breaker.state());
        now.addAndGet(DELAY - 1);
        assertEquals(false, call(false));
        now.addAndGet(1);
        assertEquals(true, call(false));
        assertEquals(State.CLOSED, breaker.state());
    }

    @Test
    void closedAgainItJudgesAFreshWindow() {
        for (int i = 0; i < 10; i++) {
            call(true);
        }
        now.addAndGet(DELAY);
        call(false);
        assertEquals(State.CLOSED, breaker.state());
        for (int i = 0; i < 9; i++) {
            call(true);
        }
        assertEquals(State.CLOSED, breaker.state(), "the failures before it opened are forgotten");
        call(true);
        assertEquals(State.OPEN, breaker.state());
    }

    @Test
    void outcomesOfCallsLetThroughBeforeItOpenedDoNotCount() {
        int late = breaker.tryAcquire();
        for (int i = 0; i < 10; i++) {
            call(true);
        }
        assertEquals(State.OPEN, breaker.state());
        now.addAndGet(DELAY);
        int trial = breaker.tryAcquire();
        breaker.record(true, late == 2);
        assertEquals(State.HALF_OPEN, breaker.state(), "a call from before it opened is not the trial");
        breaker.record(false, trial == 2);
        assertEquals(State.CLOSED, breaker.state());
    }
}
