package io.quiver.server.registration;

import io.quiver.server.config.ServerConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** Registration settings for unit tests, starting from the documented defaults. */
record Settings(Optional<String> serviceId, Optional<URI> advertisedUrl, List<String> capabilities,
                Duration heartbeatInterval, OptionalInt maxConcurrentRequests, Optional<Duration> timeout)
        implements ServerConfig.Registration {

    static Settings defaults() {
        return new Settings(Optional.empty(), Optional.empty(), List.of("prediction"), Duration.ofSeconds(5),
                OptionalInt.empty(), Optional.empty());
    }

    Settings withServiceId(String id) {
        return new Settings(Optional.of(id), advertisedUrl, capabilities, heartbeatInterval, maxConcurrentRequests, timeout);
    }

    Settings withAdvertisedUrl(String url) {
        return new Settings(serviceId, Optional.of(URI.create(url)), capabilities, heartbeatInterval, maxConcurrentRequests,
                timeout);
    }

    Settings withHeartbeatInterval(Duration interval) {
        return new Settings(serviceId, advertisedUrl, capabilities, interval, maxConcurrentRequests, timeout);
    }

    Settings withLimits(int maxConcurrentRequests, Duration timeout) {
        return new Settings(serviceId, advertisedUrl, capabilities, heartbeatInterval, OptionalInt.of(maxConcurrentRequests),
                Optional.of(timeout));
    }
}
