package io.quiver.lambda;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/**
 * An empty model repository, as a function's {@code /tmp} is at a cold start: the models the tests
 * infer with can only be the ones packaged in the function. A fresh directory for each run, under
 * target/ so that the build's clean removes it.
 */
public class EmptyRepository implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        Path repository = Path.of("target", "test-repositories", UUID.randomUUID().toString()).toAbsolutePath();
        return Map.of("quiver.repository", repository.toString());
    }

    @Override
    public void stop() {
    }
}
