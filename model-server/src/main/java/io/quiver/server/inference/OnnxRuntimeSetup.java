package io.quiver.server.inference;

import io.quarkus.runtime.StartupEvent;
import io.quiver.server.config.ServerConfig;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

/** Sets ONNX Runtime up before anything at start-up loads a model. */
@ApplicationScoped
class OnnxRuntimeSetup {
    private final ServerConfig config;

    OnnxRuntimeSetup(ServerConfig config) {
        this.config = config;
    }

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        OnnxNativeLibraries.install(config.onnx().nativeDir().orElseGet(OnnxNativeLibraries::defaultRoot));
    }
}
