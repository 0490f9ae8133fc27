package io.quiver.server.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * A server with room for little: a 1000-byte model memory budget (the example models take 228 to
 * 847 bytes each, counted without a session's overhead), one worker and one queue slot per model, a 300-byte download cap and request
 * bodies of at most 4 KiB.
 */
public class TightLimits implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quiver.cache.memory-budget", "1000",
                "quiver.cache.session-overhead", "0",
                "quiver.workers.per-model", "1",
                "quiver.workers.max-queue", "1",
                "quiver.workers.retry-after-seconds", "2",
                "quiver.download.max-size", "300",
                "quiver.limits.max-request-size", "4K",
                "quiver.download.timeout", "1s");
    }
}
