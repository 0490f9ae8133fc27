package io.quiver.manager.deployments;

import java.util.List;

/**
 * Where deployable models and their versions come from. The embedded default is Quiver's own model
 * repository ({@link LocalModelRepository}); an MLflow registry or an S3 bucket is another
 * implementation of the same three questions.
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
     * {@code source} ({@code <source>/<model>/<version>/}) when the repository lacks it.
     */
    record ModelLocation(java.nio.file.Path repository, String model, String version,
                         java.util.Optional<String> source) {
        public ModelLocation(java.nio.file.Path repository, String model, String version) {
            this(repository, model, version, java.util.Optional.empty());
        }
    }
}
