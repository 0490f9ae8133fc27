package io.quiver.server.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** Batches of at most 8 rows, and a 20 ms wait for company: long enough that concurrent clients share runs. */
public class SmallBatches implements QuarkusTestProfile {
    public static final int MAX_BATCH_SIZE = 8;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quiver.batching.enabled", "true",
                "quiver.batching.max-batch-size", Integer.toString(MAX_BATCH_SIZE),
                "quiver.batching.max-queue-delay", "20ms");
    }
}
