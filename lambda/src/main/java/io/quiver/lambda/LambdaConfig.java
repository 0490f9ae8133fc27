package io.quiver.lambda;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The function's own settings; docs/deploy.md lists them with the model-server's that a function changes. */
@ConfigMapping(prefix = "quiver.lambda")
public interface LambdaConfig {

    /**
     * The class-path folder holding the models packaged in the function, laid out as a repository
     * ({@code <name>/<version>/model.onnx}); copied into {@code quiver.repository} at start.
     */
    @WithDefault("quiver-models")
    String packagedModels();

    /**
     * Longest the init phase waits for the start-up models to load; after it, events are taken while
     * loading goes on, and a request for a model not loaded yet fails as it would on a server.
     * Lambda gives init 10 s, and runs a longer one again within the first request's timeout.
     */
    @WithDefault("30s")
    Duration startupLoadTimeout();
}
