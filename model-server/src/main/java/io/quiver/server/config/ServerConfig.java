package io.quiver.server.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.quiver.common.net.DestinationPolicy;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

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

    /**
     * How often the repository is scanned for versions that appeared since the last scan (a trained
     * model, a copy by another replica or by hand); {@code 0s} turns scanning off.
     */
    @WithDefault("10s")
    java.time.Duration repositoryPollInterval();

    /** Directories besides the repository that local model paths may point into. */
    Optional<List<Path>> allowedRoots();

    /**
     * The model MLflow's {@code /invocations} scores (a name, optionally {@code name/version}); when
     * absent, the only loaded model.
     */
    Optional<String> invocationsModel();

    Cache cache();

    Workers workers();

    Batching batching();

    Warmup warmup();

    Limits limits();

    Grpc grpc();

    Download download();

    Onnx onnx();

    Manager manager();

    Registration registration();

    Training training();

    /** How {@code s3://} model locations are reached; each setting defaults to its AWS environment variable. */
    S3 s3();

    /**
     * Where versions named in {@code quiver.startup-models} as {@code name/version} are fetched from
     * when the repository does not have them: a location holding {@code <name>/<version>/model.onnx}
     * (an {@code s3://bucket/prefix} or an http(s) URL), or {@code models:} for the MLflow registry
     * ({@code models:/<name>/<version>}). A deployment the model-manager starts from an S3 or MLflow
     * registry is given the registry's location here. When absent, {@code s3://<quiver.s3.bucket>}
     * if that bucket is set (reference document 002's {@code AWS_S3_BUCKET}), else none.
     */
    Optional<String> modelSource();

    /** How {@code models:/} locations reach MLflow; each setting defaults to its MLflow environment variable. */
    Mlflow mlflow();

    /** The MLflow settings: {@link io.quiver.common.mlflow.MlflowConnection}'s, each defaulting to its MLflow variable. */
    interface Mlflow extends io.quiver.common.mlflow.MlflowConnection {
    }

    interface Cache {
        /** Estimated memory that resident models may take before the least recently used is evicted. */
        @WithDefault("512M")
        MemorySize memoryBudget();

        /**
         * What an open session is counted beyond its model file's size: ONNX Runtime's own
         * structures for the session, about 45 KiB measured for a model of a few hundred bytes.
         * Without it a budget holds far more small models than its size says.
         */
        @WithDefault("64K")
        MemorySize sessionOverhead();
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

        /**
         * How long a version's inference thread waits for work before it ends. Threads are started
         * by requests and end when idle, and at once when the version's session is evicted, so a
         * server holding many versions keeps threads only for those in use.
         */
        @WithDefault("60s")
        Duration idleTimeout();

        /**
         * A request that finds its version idle, while requests have not been overlapping, runs on
         * the thread that received it (no hand-off to the version's threads and back) when the
         * version's recent runs predict a run shorter than this; {@code 0s} hands every request off.
         * Written in seconds: {@code 0.0002s} is 200 microseconds.
         */
        @WithDefault("0.0002s")
        Duration inlineRunsUnder();
    }

    /**
     * Dynamic batching: concurrent requests for one model version merged into one run. A model's
     * descriptor may override each setting under {@code "batching"}.
     */
    interface Batching {
        /** Whether models whose inputs and outputs all have a dynamic leading (batch) dimension batch. */
        @WithDefault("true")
        boolean enabled();

        /** Most rows in one run; a request with more rows runs alone, in slices of at most this many. */
        @WithDefault("64")
        int maxBatchSize();

        /** Longest the oldest queued request waits for others to join its run; 0 merges only what is already queued. */
        @WithDefault("2ms")
        Duration maxQueueDelay();
    }

    /**
     * Warm-up: runs of each model version, as it loads and before it is served, so that the first
     * client request does not pay ONNX Runtime's first run. A model's descriptor may override each
     * setting under {@code "warmup"} and give the sample inputs; without them, inputs are generated
     * from the model's signature (zeros, each dynamic dimension 1).
     */
    interface Warmup {
        /** Whether model versions are warmed up as they load. */
        @WithDefault("true")
        boolean enabled();

        /** Runs on the sample inputs per load; 0 turns warm-up off as {@code enabled=false} does. */
        @WithDefault("1")
        int runs();

        /**
         * How long, at start and before it reports ready, the server sends itself inference requests
         * over loopback HTTP (V2 JSON and binary, to every model loaded at start), so that the JVM has
         * loaded and compiled the request path before the first client's request; 0s turns it off
         * ({@link io.quiver.server.warmup.RequestPathWarmup}).
         */
        @WithDefault("3s")
        Duration httpDuration();
    }

    /** The Open Inference Protocol over gRPC (docs/model-server/grpc.md). */
    interface Grpc {
        /**
         * gRPC's own port, 8081 by default, or {@code http} to serve gRPC on the HTTP port. Read by
         * {@link GrpcPort}, which sets Quarkus' gRPC server from it and refuses any other value.
         */
        @WithDefault(GrpcPort.DEFAULT)
        String port();

        /** gRPC's own port, or empty when gRPC is served on the HTTP port. */
        default OptionalInt ownPort() {
            return GrpcPort.ownPort(port());
        }

        /** Largest gRPC message accepted; larger gets RESOURCE_EXHAUSTED. Defaults to {@code quiver.limits.max-request-size}. */
        Optional<MemorySize> maxMessageSize();
    }

    interface Limits {
        /** Largest request body accepted; larger gets 413. */
        @WithDefault("16M")
        MemorySize maxRequestSize();

        /**
         * Direct memory kept for reuse by the Open Inference Protocol's request bodies, which are
         * read into direct memory so that binary tensor data runs where it lies; what a body used
         * beyond this is freed when its request is over. Enough for a dozen image-sized bodies.
         */
        @WithDefault("8M")
        MemorySize reusedBodyMemory();

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

        /**
         * Hosts that model and training-data URLs may name: host names, {@code .domain} suffixes,
         * addresses and blocks such as {@code 10.0.0.0/8}. When absent, any host that is not denied.
         */
        Optional<List<String>> allowedHosts();

        /**
         * Hosts those URLs may not name, whatever is allowed, checked again at every redirect: by
         * default link-local addresses and the cloud metadata endpoints.
         */
        @WithDefault(DestinationPolicy.DEFAULT_DENIED)
        List<String> deniedHosts();
    }

    /** The S3 settings: {@link io.quiver.common.s3.S3Connection}'s, each defaulting to its AWS variable. */
    interface S3 extends io.quiver.common.s3.S3Connection {
        /**
         * Reference document 002's bucket for model artifacts ({@code AWS_S3_BUCKET}): the model source,
         * {@code s3://<bucket>}, when {@code quiver.model-source} is not set. The bucket's root holds
         * {@code <name>/<version>/model.onnx}; a source with a prefix is set as {@code quiver.model-source}.
         */
        Optional<String> bucket();
    }

    interface Onnx {
        /** ONNX Runtime intra-op threads per session; workers give the parallelism across requests. */
        @WithDefault("1")
        int intraOpThreads();

        /**
         * Direct memory each inference thread keeps for building its input tensors in, reused from
         * run to run; a run whose inputs need more gets memory of its own, freed by a later garbage
         * collection. Enough for a batch of a dozen 224x224 images.
         */
        @WithDefault("8M")
        MemorySize reusedInputMemory();

        /**
         * Where ONNX Runtime's native libraries are copied once and loaded from; default
         * {@code <java.io.tmpdir>/quiver-native-<user>}. Must be this user's alone. Ignored when the
         * {@code onnxruntime.native.path} system property is set.
         */
        Optional<Path> nativeDir();
    }

    interface Manager {
        /** The model-manager this server registers with; when absent, the server does not register. */
        Optional<URI> url();

        /** The bearer token sent with registrations and heartbeats: a control token of the manager's. */
        Optional<String> token();
    }

    /** In-process training, {@code POST /train}; docs/training.md lists these settings. */
    interface Training {
        /** Jobs trained at once, each on one low-priority thread. */
        @WithDefault("1")
        int workers();

        /** Jobs that may wait for a training thread; beyond that {@code POST /train} answers 503. */
        @WithDefault("8")
        int maxQueued();

        /** Most rows (tabular) or values (series) one job may train on. */
        @WithDefault("100000")
        int maxRows();

        /**
         * Most values one job may hold: rows times columns as read, and training rows times features
         * (for a series, windows times window). Memory grows by roughly 40 bytes per value.
         */
        @WithDefault("2000000")
        long maxCells();

        /** Largest data file a job may read from {@code data_uri}, local or downloaded. */
        @WithDefault("16M")
        MemorySize maxDataSize();

        /** Connect and transfer time allowed for downloading training data. */
        @WithDefault("60s")
        Duration dataTimeout();

        /** Finished jobs kept for {@code GET /train}; the oldest are forgotten first. */
        @WithDefault("100")
        int keepFinished();

        /** Seconds a client is asked to wait in Retry-After when the training queue is full. */
        @WithDefault("30")
        int retryAfterSeconds();

        /** The InfluxDB server that {@code config.data_source} queries by default, and its credentials. */
        Influxdb influxdb();
    }

    /**
     * The InfluxDB (1.x) server training queries go to when a request names none. The credentials
     * are sent to this server only: a request naming another URL goes without them, so that a
     * client cannot have them sent to a server of its choosing.
     */
    interface Influxdb {
        /** Base URL, such as {@code http://influxdb:8086}; when absent, every query must name its server. */
        Optional<URI> url();

        /** With {@code password}, sent as HTTP basic authentication; when absent, none is sent. */
        Optional<String> username();

        Optional<String> password();
    }

    /** How this server describes itself to the model-manager (used only when {@code quiver.manager.url} is set). */
    interface Registration {
        /** The name the manager knows this server by; {@code model-server-<hostname>-<port>} when absent. */
        Optional<String> serviceId();

        /** Where the manager sends requests for this server; {@code http://<canonical hostname>:<port>} when absent. */
        Optional<URI> advertisedUrl();

        /**
         * What the manager may route here: {@code prediction} for {@code /predict}, {@code training}
         * for {@code /train}. A server that should only serve leaves {@code training} out.
         */
        @WithDefault("prediction,training")
        List<String> capabilities();

        /** Time between heartbeats; the manager is asked to keep the registration for three of them. */
        @WithDefault("5s")
        Duration heartbeatInterval();

        /** Requests the manager may have in flight here at once; not sent when absent. */
        OptionalInt maxConcurrentRequests();

        /** How long the manager should wait for an answer from this server; not sent when absent. */
        Optional<Duration> timeout();
    }
}
