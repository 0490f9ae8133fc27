package io.quiver.manager.warmup;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Keeps the warm-up's traffic out of the manager's metrics: a meter tagged with the stand-in's
 * model type or service id (a random name only the warm-up's requests carry) is never registered,
 * so no series of the warm-up is left in {@code /q/metrics} once it is over.
 */
@ApplicationScoped
public class WarmupMeters {
    @Produces
    @Singleton
    MeterFilter leaveOutWarmupTraffic() {
        String standIn = ManagerWarmup.STAND_IN;
        return new MeterFilter() {
            @Override
            public MeterFilterReply accept(Meter.Id id) {
                return standIn.equals(id.getTag("model_type")) || standIn.equals(id.getTag("service"))
                        ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
            }
        };
    }
}
