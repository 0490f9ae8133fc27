package io.quiver.server.inference;

import io.quarkus.runtime.StartupEvent;
import io.quiver.server.config.ServerConfig;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.jboss.logging.Logger;

/** Sets ONNX Runtime up before anything at start-up loads a model. */
@ApplicationScoped
class OnnxRuntimeSetup {
    private static final Logger LOG = Logger.getLogger(OnnxRuntimeSetup.class);
    /** ONNX Runtime reads it once, as it loads: only the environment of the process can set it. */
    static final String TELEMETRY_OFF = "ORT_DISABLE_TELEMETRY";

    private final ServerConfig config;

    OnnxRuntimeSetup(ServerConfig config) {
        this.config = config;
    }

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        OnnxNativeLibraries.install(config.onnx().nativeDir().orElseGet(OnnxNativeLibraries::defaultRoot));
        InputStaging.retainedLimit = config.onnx().reusedInputMemory().asLongValue();
        if (System.getenv(TELEMETRY_OFF) == null) {
            // Since 1.29 ONNX Runtime reports usage to Microsoft from every process that loads it;
            // ./quiver start, the images and the manifests set the variable, a bare java -jar does not.
            LOG.warnf("ONNX Runtime will send usage telemetry to Microsoft: set %s=1 in this service's "
                    + "environment to keep it from doing so", TELEMETRY_OFF);
        }
    }
}
