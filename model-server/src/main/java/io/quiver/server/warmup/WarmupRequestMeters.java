package io.quiver.server.warmup;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import io.quarkus.micrometer.runtime.HttpServerMetricsTagsContributor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Keeps the model-server's own warm-up requests out of Quarkus' HTTP server metrics
 * ({@code http_server_requests_seconds} and the like): such a request gets a tag of its own, and a
 * meter with that tag is never registered. A client's request gets no tag, so its meters keep the
 * names and tags they always had.
 */
@ApplicationScoped
public class WarmupRequestMeters implements HttpServerMetricsTagsContributor {
    static final String TAG = "quiver.warmup";
    private static final Tags WARMUP = Tags.of(TAG, "true");

    private final RequestPathWarmup warmup;

    WarmupRequestMeters(RequestPathWarmup warmup) {
        this.warmup = warmup;
    }

    @Override
    public Tags contribute(Context context) {
        return warmup.sentBy(context.request()) ? WARMUP : Tags.empty();
    }

    @Produces
    @Singleton
    MeterFilter leaveOutWarmupRequests() {
        return new MeterFilter() {
            @Override
            public MeterFilterReply accept(Meter.Id id) {
                return id.getTag(TAG) != null ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
            }
        };
    }
}
