package io.quiver.manager.registry;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The requests a service was sent over the last {@link #MINUTES} minutes, minute by minute: count,
 * errors and a latency histogram from which the percentiles are read. Bounded memory per service (a
 * ring of minutes of about half a kilobyte each, made only once the service gets traffic, so a
 * registry of thousands of idle services costs next to nothing) and lock-free on the request path,
 * where it costs a few atomic increments; the dashboard reads it. Prometheus keeps the long history; this answers "what
 * is this replica doing now" without a query language.
 * <p>
 * Latencies fall into buckets growing by a quarter from 100 µs, so a percentile is the upper bound
 * of its bucket: at most 25% above the true value, enough to see a replica slow down.
 */
public final class RecentTraffic {
    public static final int MINUTES = 15;
    private static final int BUCKETS = 64;
    private static final double FIRST_BUCKET_MICROS = 100;
    private static final double GROWTH = 1.25;
    private static final int REQUESTS = 0;
    private static final int ERRORS = 1;
    private static final int FIRST = 2;

    private final AtomicReferenceArray<Minute> ring = new AtomicReferenceArray<>(MINUTES);

    private static final class Minute {
        volatile long epochMinute = Long.MIN_VALUE;
        final AtomicLongArray counts = new AtomicLongArray(FIRST + BUCKETS);
    }

    /** One minute's figures as the dashboard shows them; latencies in milliseconds, null without requests. */
    @RegisterForReflection
    public record MinuteFigures(long epochMinute, long requests, long errors, Double p50Ms, Double p99Ms) {
    }

    /** Counts one request to the service that took {@code nanos}; an error is a failure or a 5xx answer. */
    public void record(long nanos, boolean error) {
        record(System.currentTimeMillis(), nanos, error);
    }

    void record(long nowMillis, long nanos, boolean error) {
        Minute minute = current(nowMillis / 60_000);
        minute.counts.incrementAndGet(REQUESTS);
        if (error) {
            minute.counts.incrementAndGet(ERRORS);
        }
        minute.counts.incrementAndGet(FIRST + bucket(nanos));
    }

    /**
     * The slot of this minute, emptied first when it still holds the minute {@link #MINUTES} ago. A
     * request counted by a thread that read the slot just before another emptied it is lost or lands
     * in the new minute: a boundary effect of one request, not worth a lock on every request.
     */
    private Minute current(long epochMinute) {
        int slot = (int) Math.floorMod(epochMinute, (long) MINUTES);
        Minute minute = ring.get(slot);
        if (minute == null) {
            ring.compareAndSet(slot, null, new Minute());
            minute = ring.get(slot);
        }
        if (minute.epochMinute != epochMinute) {
            synchronized (minute) {
                if (minute.epochMinute != epochMinute) {
                    for (int i = 0; i < minute.counts.length(); i++) {
                        minute.counts.set(i, 0);
                    }
                    minute.epochMinute = epochMinute;
                }
            }
        }
        return minute;
    }

    /** The last {@link #MINUTES} minutes up to now, oldest first, a minute without requests as zeros. */
    public List<MinuteFigures> minutes() {
        return minutes(System.currentTimeMillis());
    }

    List<MinuteFigures> minutes(long nowMillis) {
        long now = nowMillis / 60_000;
        List<MinuteFigures> figures = new ArrayList<>(MINUTES);
        for (long m = now - MINUTES + 1; m <= now; m++) {
            Minute minute = ring.get((int) Math.floorMod(m, (long) MINUTES));
            if (minute == null || minute.epochMinute != m) {
                figures.add(new MinuteFigures(m, 0, 0, null, null));
                continue;
            }
            long[] buckets = new long[BUCKETS];
            for (int b = 0; b < BUCKETS; b++) {
                buckets[b] = minute.counts.get(FIRST + b);
            }
            long requests = minute.counts.get(REQUESTS);
            figures.add(new MinuteFigures(m, requests, minute.counts.get(ERRORS),
                    percentile(buckets, 0.50), percentile(buckets, 0.99)));
        }
        return figures;
    }

    static int bucket(long nanos) {
        double micros = nanos / 1_000.0;
        if (micros <= FIRST_BUCKET_MICROS) {
            return 0;
        }
        int bucket = (int) Math.ceil(Math.log(micros / FIRST_BUCKET_MICROS) / Math.log(GROWTH));
        return Math.min(bucket, BUCKETS - 1);
    }

    /** The upper bound, in milliseconds, of the bucket that holds the {@code q} quantile; null when empty. */
    static Double percentile(long[] buckets, double q) {
        long total = 0;
        for (long count : buckets) {
            total += count;
        }
        if (total == 0) {
            return null;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int b = 0; b < buckets.length; b++) {
            seen += buckets[b];
            if (seen >= rank) {
                double upperMicros = FIRST_BUCKET_MICROS * Math.pow(GROWTH, b);
                return Math.round(upperMicros) / 1_000.0;
            }
        }
        return null;
    }
}
