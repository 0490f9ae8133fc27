package io.quiver.manager.experiments;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Per-variant figures, in Prometheus and read back for the JSON summary:
 * {@code quiver_manager_experiment_requests_seconds{experiment, variant, role}} with p50/p95/p99
 * (role {@code primary} or {@code shadow}), {@code quiver_manager_experiment_errors_total},
 * {@code quiver_manager_experiment_shadow_comparisons_total{result=agree|disagree}} and
 * {@code quiver_manager_experiment_shadow_dropped_total}. An error is a 5xx answer or a request no
 * service answered; a 4xx is the client's mistake, not the variant's.
 */
@ApplicationScoped
public class ExperimentMetrics {
    static final String PRIMARY = "primary";
    static final String SHADOW = "shadow";
    private static final double[] PERCENTILES = {0.5, 0.95, 0.99};

    private final MeterRegistry meters;

    ExperimentMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    void answered(String experiment, String variant, String role, long nanos, boolean error) {
        timer(experiment, variant, role).record(nanos, TimeUnit.NANOSECONDS);
        if (error) {
            errors(experiment, variant, role).increment();
        }
    }

    void compared(String experiment, String shadow, boolean agreed) {
        comparisons(experiment, shadow, agreed).increment();
    }

    void dropped(String experiment, String shadow) {
        droppedCounter(experiment, shadow).increment();
    }

    /** What the summary shows of one variant or shadow. */
    Map<String, Object> figures(String experiment, String variant, String role) {
        Timer timer = timer(experiment, variant, role);
        long requests = timer.count();
        long errors = (long) errors(experiment, variant, role).count();
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("requests", requests);
        figures.put("errors", errors);
        figures.put("error_rate", requests == 0 ? 0.0 : (double) errors / requests);
        Map<String, Object> latency = new LinkedHashMap<>();
        for (ValueAtPercentile p : timer.takeSnapshot().percentileValues()) {
            latency.put("p" + Math.round(p.percentile() * 100), round(p.value(TimeUnit.MILLISECONDS)));
        }
        latency.put("max", round(timer.max(TimeUnit.MILLISECONDS)));
        figures.put("latency_ms", latency);
        if (role.equals(SHADOW)) {
            long agreed = (long) comparisons(experiment, variant, true).count();
            long compared = agreed + (long) comparisons(experiment, variant, false).count();
            figures.put("dropped", (long) droppedCounter(experiment, variant).count());
            figures.put("compared", compared);
            figures.put("agreed", agreed);
            figures.put("agreement", compared == 0 ? null : (double) agreed / compared);
        }
        return figures;
    }

    private Timer timer(String experiment, String variant, String role) {
        return Timer.builder("quiver.manager.experiment.requests")
                .description("Requests answered per experiment variant; shadows are copies the client never sees")
                .tags("experiment", experiment, "variant", variant, "role", role)
                .publishPercentiles(PERCENTILES)
                .register(meters);
    }

    private Counter errors(String experiment, String variant, String role) {
        return meters.counter("quiver.manager.experiment.errors", "experiment", experiment, "variant", variant,
                "role", role);
    }

    private Counter comparisons(String experiment, String shadow, boolean agreed) {
        return meters.counter("quiver.manager.experiment.shadow.comparisons", "experiment", experiment,
                "variant", shadow, "result", agreed ? "agree" : "disagree");
    }

    private Counter droppedCounter(String experiment, String shadow) {
        return meters.counter("quiver.manager.experiment.shadow.dropped", "experiment", experiment, "variant", shadow);
    }

    private static double round(double millis) {
        return Math.round(millis * 1000) / 1000.0;
    }
}
