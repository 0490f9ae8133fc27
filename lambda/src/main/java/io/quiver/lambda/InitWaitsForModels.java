package io.quiver.lambda;

import io.quarkus.runtime.StartupEvent;
import io.quiver.server.serving.ModelLoading;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Holds the function's init phase until the start-up models are loaded. A long-running server loads
 * them in the background while its readiness check keeps traffic away; a function has no readiness
 * check, and Lambda sends the first event as soon as init ends, so the wait happens here instead
 * and the first event finds its model loaded.
 */
@ApplicationScoped
class InitWaitsForModels {
    private static final Logger LOG = Logger.getLogger(InitWaitsForModels.class);

    private final ModelLoading loading;
    private final LambdaConfig config;

    InitWaitsForModels(ModelLoading loading, LambdaConfig config) {
        this.loading = loading;
        this.config = config;
    }

    /** After every default-priority observer, among them the one that starts loading. */
    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_AFTER) StartupEvent event) throws InterruptedException {
        try {
            loading.startupLoading().toCompletableFuture()
                    .get(config.startupLoadTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warnf("the start-up models are still loading after %s (quiver.lambda.startup-load-timeout); "
                    + "taking events anyway", config.startupLoadTimeout());
        } catch (ExecutionException e) {
            // Never completed exceptionally: loading records its failures and completes.
            throw new IllegalStateException(e.getCause());
        }
    }
}
