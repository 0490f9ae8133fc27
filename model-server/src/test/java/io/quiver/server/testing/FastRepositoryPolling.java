package io.quiver.server.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** The repository scanned every 100 ms, for tests that watch versions appear in it. */
public class FastRepositoryPolling implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quiver.repository-poll-interval", "100ms");
    }
}
