package io.quiver.manager.deployments;

import java.util.List;

/**
 * Where deployable models and their versions come from. The embedded default is Quiver's own model
 * repository ({@link LocalModelRepository}); an S3 bucket ({@link S3ModelRegistry}) and an MLflow
 * tracking server's registry ({@link MlflowModelRegistry}) answer the same questions.
 */
public interface ModelRegistrySource extends AutoCloseable {

    /** Names this source in errors and logs, e.g. {@code model repository /srv/models}. */
    String describe();

    /** Every model name, sorted. */
    List<String> models();

    /**
     * The versions of {@code model}, in the source's order (oldest first).
     *
     * @throws io.quiver.common.error.NotFoundException when the source has no such model
     */
    List<String> versions(String model);

    /**
     * What a model-server needs to serve this version: a repository root holding
     * {@code <model>/<version>/}.
     *
     * @throws io.quiver.common.error.NotFoundException when the source has no such model or version
     */
    ModelLocation locate(String model, String version);

    /**
     * Where a deployment of a version found earlier loads it from, without asking the source again
     * (a manager that restarts re-adopts deployments while the source may be down).
     */
    ModelLocation placement(String model, String version);

    /** Frees what the source holds open (the S3 registry's connection pool) as the manager stops; nothing by default. */
    @Override
    default void close() {
    }

    /**
     * A version a model-server can load: {@code <repository>/<model>/<version>/}, fetched first from
     * {@code source} ({@code <source>/<model>/<version>/}) when the repository lacks it, with
     * {@code environment} telling it how to reach that source (an MLflow server's address and
     * credentials).
     */
    record ModelLocation(java.nio.file.Path repository, String model, String version,
                         java.util.Optional<String> source, java.util.Map<String, String> environment) {
        public ModelLocation {
            environment = java.util.Map.copyOf(environment);
        }

        public ModelLocation(java.nio.file.Path repository, String model, String version) {
            this(repository, model, version, java.util.Optional.empty());
        }

        public ModelLocation(java.nio.file.Path repository, String model, String version,
                             java.util.Optional<String> source) {
            this(repository, model, version, source, java.util.Map.of());
        }

        @Override
        public String toString() {
            // The environment may hold a token or password: only its names are shown.
            return model + "/" + version + " in " + repository + source.map(s -> " from " + s).orElse("")
                    + (environment.isEmpty() ? "" : " with " + new java.util.TreeSet<>(environment.keySet()));
        }
    }
}
