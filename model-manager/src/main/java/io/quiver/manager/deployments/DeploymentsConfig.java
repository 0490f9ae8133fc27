package io.quiver.manager.deployments;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Deploying model versions as model-servers of their own (reference document 000);
 * docs/model-manager/deployments.md lists every setting with its default.
 */
@ConfigMapping(prefix = "quiver.manager.deployments")
public interface DeploymentsConfig {

    /** Where deployments run: {@code local}, child processes of the manager, or {@code kubernetes}. */
    @WithDefault("local")
    Backend backend();

    enum Backend {
        /** A model-server child process per version, on a port of {@code port-min}..{@code port-max}. */
        LOCAL,
        /** A Deployment and a Service per version, through the Kubernetes API. */
        KUBERNETES
    }

    /** What the Kubernetes backend creates for each version. */
    Kubernetes kubernetes();

    interface Kubernetes {
        /** The namespace deployments are made in; when absent, the manager's own (from its service account). */
        Optional<String> namespace();

        /** The model-server image each deployment runs. */
        @WithDefault("docker.io/quiver/model-server:${quarkus.application.version}")
        String image();

        @WithDefault("IfNotPresent")
        String imagePullPolicy();

        /** The model repository inside the pod: the version is loaded (or fetched from the registry) there. */
        @WithDefault("/models")
        String repository();

        /** The PersistentVolumeClaim mounted at {@code repository}, as deploy/k8s mounts it for the model-servers. */
        @WithDefault("quiver-models")
        String modelsClaim();

        /** A ConfigMap of model-server settings given to each pod as environment variables, when it exists. */
        @WithDefault("quiver-model-server")
        String configMap();

        /** A Secret given to each pod as environment variables when it exists (e.g. S3 credentials for an S3 registry). */
        Optional<String> secret();

        /** The pods' service account; deploy/k8s gives it no API token. */
        @WithDefault("quiver-model-server")
        String serviceAccount();

        /** The Service's port; the deployment's URL is {@code http://<name>.<namespace>.svc:<service-port>}. */
        @WithDefault("80")
        int servicePort();

        @WithDefault("250m")
        String cpuRequest();

        @WithDefault("384Mi")
        String memoryRequest();

        @WithDefault("1")
        String cpuLimit();

        @WithDefault("768Mi")
        String memoryLimit();
    }

    /** Root of the model repository deployments are made from, {@code <root>/<model>/<version>/}. */
    @WithDefault("models")
    Path repository();

    /**
     * The registry deployments list and deploy from: absent for the model repository above, an
     * {@code s3://bucket/prefix} holding {@code <model>/<version>/model.onnx}, or {@code mlflow} for
     * the model registry of the MLflow tracking server below.
     */
    Optional<String> registry();

    /** How the MLflow registry is reached; each setting defaults to its MLflow environment variable. */
    Mlflow mlflow();

    interface Mlflow extends io.quiver.common.mlflow.MlflowConnection {
        /** For connecting to the tracking server and for each answer. */
        @WithDefault("30s")
        Duration timeout();
    }

    /** How the S3 registry is reached; each setting defaults to its AWS environment variable. */
    S3 s3();

    interface S3 extends io.quiver.common.s3.S3Connection {
        /** For connecting to the store and for each read. */
        @WithDefault("30s")
        Duration timeout();
    }

    /** The packaged model-server each deployment runs; relative paths are from the manager's working directory. */
    @WithDefault("model-server/target/quarkus-app/quarkus-run.jar")
    Path serverJar();

    /** The java executable; when absent, the one running the manager. */
    Optional<Path> java();

    /**
     * JVM options for each deployment, as {@code ./quiver start} gives its model-servers
     * ({@code ./quiver jvm-options} prints them). None when absent.
     */
    Optional<List<String>> jvmOptions();

    /** The address deployments listen on; the manager forwards to them there. */
    @WithDefault("127.0.0.1")
    String host();

    /** Lowest port a deployment may take. */
    @WithDefault("8001")
    int portMin();

    /** Highest port a deployment may take. */
    @WithDefault("8100")
    int portMax();

    /** Where each deployment's output goes, one {@code <model>-<version>.log} per deployment; default {@code <data-dir>/deployment-logs}. */
    Optional<Path> logDir();

    /** How long a starting model-server may take to load its model and answer ready. */
    @WithDefault("120s")
    Duration readyTimeout();

    /** Crashes restarted in a row before the deployment is reported failed. */
    @WithDefault("3")
    int restartLimit();

    /** Wait before the first restart; each further one waits twice as long as the last. */
    @WithDefault("1s")
    Duration restartBackoff();

    /** A process that ran this long before it crashed starts a fresh count of restarts. */
    @WithDefault("60s")
    Duration stableAfter();

    /** How long an undeployed or stopping model-server gets to exit after SIGTERM before it is killed. */
    @WithDefault("10s")
    Duration stopTimeout();
}
