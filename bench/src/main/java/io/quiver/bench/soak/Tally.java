package io.quiver.bench.soak;

import io.quiver.bench.OpenLoop;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What one kind of request (a load stream or a control operation) did over a stretch of the run:
 * how many, their latencies in microseconds, and the failures by cause ({@code http-503},
 * {@code grpc-14}, {@code error} for a connection lost or an answer that did not come in time,
 * {@code dropped} for a request due while too many were outstanding, or an operation's own
 * cause). Guarded by its own lock: the control thread records while the reporter reads.
 */
final class Tally {
    private static final long HIGHEST_MICROS = 3_600_000_000L;

    static final String BY_DESIGN = "by design: ";

    private long requests;
    private final Histogram latencies = new Histogram(HIGHEST_MICROS, 3);
    private final Map<String, Long> failures = new TreeMap<>();

    synchronized void record(long micros, String failure) {
        requests++;
        latencies.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, micros)));
        if (failure != null) {
            failures.merge(failure, 1L, Long::sum);
        }
    }

    /**
     * An open-loop run's counted requests; {@code byDesign} marks its failures as a fault's
     * intended effect (their causes start with {@value #BY_DESIGN}), which the verdict forgives.
     */
    synchronized void add(OpenLoop.Result result, boolean byDesign) {
        String prefix = byDesign ? BY_DESIGN : "";
        requests += result.requests() + result.dropped();
        latencies.add(result.latencies());
        result.failures().forEach((cause, count) -> failures.merge(prefix + cause, count, Long::sum));
        if (result.errors() > 0) {
            failures.merge(prefix + "error", result.errors(), Long::sum);
        }
        if (result.dropped() > 0) {
            failures.merge(prefix + "dropped", result.dropped(), Long::sum);
        }
    }

    /** Requests that could not even be sent: {@code count} of them, all failed with {@code cause}. */
    synchronized void unsent(long count, String cause) {
        requests += count;
        failures.merge(cause, count, Long::sum);
    }

    /** A failure that is not a request of its own (a training job that ended failed). */
    synchronized void fail(String cause) {
        failures.merge(cause, 1L, Long::sum);
    }

    synchronized void addTo(Tally into) {
        synchronized (into) {
            into.requests += requests;
            into.latencies.add(latencies);
            failures.forEach((cause, count) -> into.failures.merge(cause, count, Long::sum));
        }
    }

    synchronized long requests() {
        return requests;
    }

    synchronized long failed() {
        return failures.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The failures no fault was meant to cause. */
    synchronized long unexpected() {
        return failures.entrySet().stream().filter(failure -> !failure.getKey().startsWith(BY_DESIGN))
                .mapToLong(Map.Entry::getValue).sum();
    }

    synchronized Map<String, Long> failures() {
        return new TreeMap<>(failures);
    }

    synchronized double millis(double percentile) {
        return latencies.getTotalCount() == 0 ? 0 : latencies.getValueAtPercentile(percentile) / 1000.0;
    }
}
