package io.quiver.manager.resilience;

import io.quiver.manager.config.ManagerConfig;
import jakarta.inject.Singleton;
import jakarta.inject.Inject;

/**
 * Caps retries so that an outage cannot multiply the load: every request deposits a fraction of a
 * retry ({@code budget-ratio}, 0.2 by default) and every retry withdraws a whole one, plus a small
 * allowance per second so that a quiet mesh can still retry. During an outage retries therefore add
 * at most about the ratio to the traffic, instead of {@code max-retries} times it.
 */
@Singleton
public class RetryBudget {
    private static final long ONE_RETRY = 1000;

    private final long depositPerRequest;
    private final long allowancePerSecond;
    private final long capacity;
    private long balance;
    private long lastRefillNanos = System.nanoTime();

    @Inject
    RetryBudget(ManagerConfig config) {
        this(config.retry().budgetRatio(), config.retry().budgetMinPerSecond());
    }

    public RetryBudget(double ratio, int minPerSecond) {
        this.depositPerRequest = Math.round(ratio * ONE_RETRY);
        this.allowancePerSecond = minPerSecond * ONE_RETRY;
        // A burst may spend what ten seconds of allowance or a hundred retries would give, not more.
        this.capacity = Math.max(10 * allowancePerSecond, 100 * ONE_RETRY);
        this.balance = allowancePerSecond;
    }

    public synchronized void onRequest() {
        balance = Math.min(capacity, balance + depositPerRequest);
    }

    /** Takes one retry from the budget; false when it is spent. */
    public synchronized boolean tryRetry() {
        long now = System.nanoTime();
        long refill = (now - lastRefillNanos) * allowancePerSecond / 1_000_000_000L;
        if (refill > 0) {
            balance = Math.min(capacity, balance + refill);
            lastRefillNanos = now;
        }
        if (balance < ONE_RETRY) {
            return false;
        }
        balance -= ONE_RETRY;
        return true;
    }
}
