package io.quiver.manager.resilience;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The retry budget keeps retries to a share of the traffic, plus a small allowance that refills with time. */
class RetryBudgetTest {

    @Test
    void duringAnOutageRetriesAddAtMostTheRatioToTheTraffic() {
        RetryBudget budget = new RetryBudget(0.2, 0);
        int allowed = 0;
        for (int i = 0; i < 1_000; i++) {
            budget.onRequest();
            if (budget.tryRetry()) {
                allowed++;
            }
        }
        System.out.printf("[budget] requests=1000 ratio=0.2 retries_allowed=%d%n", allowed);
        assertTrue(Math.abs(allowed - 200) <= 2, "1,000 failing requests at ratio 0.2 got " + allowed + " retries");
        assertFalse(budget.tryRetry(), "the budget is spent: no retry without new requests");
    }

    @Test
    void retriesSavedUpInQuietTimesAreCappedAtAHundred() {
        // Deposits beyond the capacity (100 retries with this allowance) are lost, so a sudden
        // outage after a long healthy spell cannot spend more than that at once.
        RetryBudget budget = new RetryBudget(0.2, 0);
        for (int i = 0; i < 1_000; i++) {
            budget.onRequest();
        }
        int allowed = 0;
        while (allowed < 10_000 && budget.tryRetry()) {
            allowed++;
        }
        System.out.printf("[budget] requests=1000 then retries_allowed=%d%n", allowed);
        assertEquals(100, allowed);
    }

    @Test
    void withoutRequestsTheBudgetRefillsAtTheMinimumPerSecond() {
        RetryBudget budget = new RetryBudget(0.2, 10);
        int initial = 0;
        while (initial < 1_000 && budget.tryRetry()) {
            initial++;
        }
        assertTrue(initial >= 10 && initial <= 11, "starts with a second's allowance, got " + initial);

        // Spent: the next retry comes once a tenth of a second has refilled it, not before.
        long spent = System.nanoTime();
        await("a retry to refill").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1)).pollInSameThread()
                .until(budget::tryRetry);
        double waitedMillis = (System.nanoTime() - spent) / 1e6;
        assertTrue(waitedMillis >= 50, "a spent budget gave a retry after only " + waitedMillis + " ms");

        // Over a measured window it grants the allowance's rate: never more, and not much less.
        long start = System.nanoTime();
        long end = start + TimeUnit.MILLISECONDS.toNanos(1_000);
        int granted = 0;
        while (System.nanoTime() < end) {
            if (budget.tryRetry()) {
                granted++;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("[budget] min_per_second=10 initial=%d first_refill_after=%.0fms granted=%d in %.2fs%n",
                initial, waitedMillis, granted, seconds);
        assertTrue(granted <= 10 * seconds + 1, granted + " retries in " + seconds + " s exceeds 10 per second");
        assertTrue(granted >= 10 * seconds - 3, "only " + granted + " retries refilled in " + seconds + " s");
    }

    @Test
    void afterTwelveDaysWithoutARetryTheBudgetIsFullAgain() {
        AtomicLong now = new AtomicLong();
        RetryBudget budget = new RetryBudget(0.2, 10, now::get);
        while (budget.tryRetry()) {
            // Spend the second's allowance it starts with.
        }
        now.addAndGet(TimeUnit.DAYS.toNanos(12));
        int allowed = 0;
        while (allowed < 1_000 && budget.tryRetry()) {
            allowed++;
        }
        assertEquals(100, allowed, "a quiet mesh saves up to its capacity, however long it was quiet");

        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertTrue(budget.tryRetry(), "and refills at the allowance afterwards");
    }

    @Test
    void requestsDoNotWaitForALockOnTheBudget() throws Exception {
        RetryBudget budget = new RetryBudget(0.2, 10);
        // Whatever holds the budget's monitor (a caller, a debugger, a slow retry) must not stall the
        // requests of every event loop: counting a request and taking a retry take no lock.
        synchronized (budget) {
            CompletableFuture.runAsync(() -> {
                budget.onRequest();
                budget.tryRetry();
            }).get(2, TimeUnit.SECONDS);
        }
    }
}
