package io.quiver.server.testing;

import static org.awaitility.Awaitility.await;

import io.quarkus.arc.Arc;
import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.quiver.server.serving.ModelLoading;
import java.time.Duration;

/**
 * Before each test of a {@code @QuarkusTest} class, waits until the models the server loads at
 * start are loaded (or have failed), as a client waits for readiness. The server answers 503 to
 * requests for a model still loading, so a test that sent inferences straight after start would
 * pass or fail by how fast the loading was. A class that tests the loading state itself is
 * marked {@link WhileStartupModelsLoad}.
 */
public class StartupModelsLoaded implements QuarkusTestBeforeEachCallback {
    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        Class<?> testClass = context.getTestInstance().getClass();
        if (testClass.isAnnotationPresent(WhileStartupModelsLoad.class)) {
            return;
        }
        ModelLoading loading = Arc.container().instance(ModelLoading.class).get();
        if (loading.startupDone()) {
            // Nearly always, after the first test: Awaitility would first wait its poll delay.
            return;
        }
        await().atMost(Duration.ofSeconds(60)).alias("the models found at start are loaded")
                .until(loading::startupDone);
    }
}
