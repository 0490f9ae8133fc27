package io.quiver.server.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The model-server's settings; every default is listed in docs/model-server/configuration.md. */
@ConfigMapping(prefix = "quiver")
public interface ServerConfig {

    /** Root of the model repository, {@code <root>/<name>/<version>/model.onnx}. */
    @WithDefault("models")
    Path repository();

    /**
     * Models to load at start, as {@code name} or {@code name/version}; when absent, every model
     * found under the repository is loaded.
     */
    Optional<List<String>> startupModels();

    /** Directories besides the repository that local model paths may point into. */
    Optional<List<Path>> allowedRoots();

    /**
     * The model MLflow's {@code /invocations} scores (a name, optionally {@code name/version}); when
     * absent, the only loaded model.
     */
    Optional<String> invocationsModel();

    Cache cache();

    Workers workers();

    Limits limits();

    Download download();

    Onnx onnx();

    interface Cache {
        /** Estimated memory that resident models may take before the least recently used is evicted. */
        @WithDefault("512M")
        MemorySize memoryBudget();
    }

    interface Workers {
        /** Inference workers per model version, unless its descriptor says otherwise. */
        @WithDefault("2")
        int perModel();

        /** Requests that may wait for a worker per model version before 503 answers. */
        @WithDefault("128")
        int maxQueue();

        /** Seconds a client is asked to wait in Retry-After when the queue is full. */
        @WithDefault("1")
        int retryAfterSeconds();
    }

    interface Limits {
        /** Largest request body accepted; larger gets 413. */
        @WithDefault("16M")
        MemorySize maxRequestSize();

        /** Most rows (the first dimension) in one inference request. */
        @WithDefault("4096")
        int maxBatchRows();
    }

    interface Download {
        /** Largest model file fetched from an http(s) URL. */
        @WithDefault("1G")
        MemorySize maxSize();

        @WithDefault("60s")
        Duration timeout();
    }

    interface Onnx {
        /** ONNX Runtime intra-op threads per session; workers give the parallelism across requests. */
        @WithDefault("1")
        int intraOpThreads();
    }
}
