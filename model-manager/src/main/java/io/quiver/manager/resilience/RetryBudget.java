package io.quiver.manager.resilience;

import io.quiver.manager.config.ManagerConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Caps retries so that an outage cannot multiply the load: every request deposits a fraction of a
 * retry ({@code budget-ratio}, 0.2 by default) and every retry withdraws a whole one, plus a small
 * allowance per second so that a quiet mesh can still retry. During an outage retries therefore add
 * at most about the ratio to the traffic, instead of {@code max-retries} times it.
 * <p>
 * Every event loop counts its requests here, so the balance is an atomic rather than a lock; once
 * it is full, as it is in a healthy mesh, a request only reads it.
 */
@Singleton
public class RetryBudget {
    private static final long ONE_RETRY = 1000;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long depositPerRequest;
    private final long allowancePerSecond;
    private final long capacity;
    private final LongSupplier clock;
    private final AtomicLong balance;
    private final AtomicLong lastRefillNanos;

    @Inject
    RetryBudget(ManagerConfig config) {
        this(config.retry().budgetRatio(), config.retry().budgetMinPerSecond());
    }

    public RetryBudget(double ratio, int minPerSecond) {
        this(ratio, minPerSecond, System::nanoTime);
    }

    RetryBudget(double ratio, int minPerSecond, LongSupplier clock) {
        this.depositPerRequest = Math.round(ratio * ONE_RETRY);
        this.allowancePerSecond = minPerSecond * ONE_RETRY;
        // A burst may spend what ten seconds of allowance or a hundred retries would give, not more.
        this.capacity = Math.max(10 * allowancePerSecond, 100 * ONE_RETRY);
        this.clock = clock;
        this.balance = new AtomicLong(allowancePerSecond);
        this.lastRefillNanos = new AtomicLong(clock.getAsLong());
    }

    public void onRequest() {
        if (depositPerRequest > 0 && balance.get() < capacity) {
            balance.accumulateAndGet(depositPerRequest, (now, deposit) -> Math.min(capacity, now + deposit));
        }
    }

    /** Takes one retry from the budget; false when it is spent. */
    public boolean tryRetry() {
        refill();
        long now;
        do {
            now = balance.get();
            if (now < ONE_RETRY) {
                return false;
            }
        } while (!balance.compareAndSet(now, now - ONE_RETRY));
        return true;
    }

    /** Adds the allowance for the time since the last refill; of racing threads, one adds it. */
    private void refill() {
        long last = lastRefillNanos.get();
        long now = clock.getAsLong();
        long refill = allowanceFor(now - last);
        if (refill > 0 && lastRefillNanos.compareAndSet(last, now)) {
            balance.accumulateAndGet(refill, (held, added) -> Math.min(capacity, held + added));
        }
    }

    /**
     * The allowance earned in {@code elapsed} nanoseconds, at most the capacity: after days without
     * a retry the product of time and rate no longer fits a long, and would wrap to a negative refill.
     */
    private long allowanceFor(long elapsed) {
        if (elapsed <= 0 || allowancePerSecond == 0) {
            return 0;
        }
        long product = elapsed * allowancePerSecond;
        if (Math.multiplyHigh(elapsed, allowancePerSecond) != 0 || product < 0) {
            return capacity;
        }
        return Math.min(capacity, product / NANOS_PER_SECOND);
    }
}
