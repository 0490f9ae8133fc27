package io.quiver.server.serving;

import io.quarkus.runtime.StartupEvent;
import io.quiver.server.config.ServerConfig;
import io.quiver.common.error.ApiException;
import io.quiver.server.repository.ModelFiles;
import io.quiver.server.repository.ModelSources;
import io.quiver.server.repository.PathGuard;
import io.quiver.server.repository.RepositoryScanner;
import io.quiver.server.warmup.RequestPathWarmup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import io.quiver.common.error.NotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentSkipListMap;
import org.jboss.logging.Logger;

/**
 * Loads models: at start, from the repository (all of it, or {@code quiver.startup-models}, fetching
 * those it lacks from {@code quiver.model-source}), in the
 * background so that liveness answers while readiness waits; at run time, from what a load request
 * names.
 */
@ApplicationScoped
public class ModelLoading {
    private static final Logger LOG = Logger.getLogger(ModelLoading.class);

    private final ModelRegistry registry;
    private final ModelSources sources;
    private final PathGuard guard;
    private final ServerConfig config;
    private final RequestPathWarmup requestPathWarmup;
    private final CompletableFuture<Void> startupDone = new CompletableFuture<>();
    /** By name then version; an entry goes once that model version loads. */
    private final Map<String, LoadFailure> failures = new ConcurrentSkipListMap<>();

    ModelLoading(ModelRegistry registry, ModelSources sources, PathGuard guard, ServerConfig config,
                 RequestPathWarmup requestPathWarmup) {
        this.registry = registry;
        this.requestPathWarmup = requestPathWarmup;
        this.sources = sources;
        this.guard = guard;
        this.config = config;
    }

    /** Loads what {@code source} names as model {@code name}; every version of a model directory when {@code version} is null. */
    public List<ModelInfo> load(String name, String version, String source) {
        return sources.locate(name, version, source).stream().map(this::loadVersion).toList();
    }

    /**
     * Loads every version of the model {@code <repository>/<name>} again, as a repository load
     * request asks; a version that fails is recorded, the others are served.
     *
     * @return the failures, empty when every version loaded
     * @throws NotFoundException when the repository holds no model of that name
     */
    public List<LoadFailure> loadFromRepository(String name) {
        PathGuard.checkName("model name", name);
        Path directory = guard.repository().resolve(name);
        List<ModelFiles> versions = Files.isDirectory(directory) ? RepositoryScanner.versionsOf(name, directory) : List.of();
        if (versions.isEmpty()) {
            throw new NotFoundException("model '" + name + "' is not in the repository: no "
                    + name + "/<version>/" + ModelFiles.MODEL_FILE + " under " + guard.repository());
        }
        List<LoadFailure> failed = new ArrayList<>();
        for (ModelFiles files : versions) {
            try {
                load(files.name(), files.version(), files.model().getParent().toString());
            } catch (ApiException e) {
                failed.add(failed(new LoadFailure(files.name(), files.version(), e.getMessage(), false)));
            }
        }
        return failed;
    }

    public boolean startupDone() {
        return startupDone.isDone();
    }

    /**
     * Completes once loading at start is done, whatever loaded or failed: for a host that must not
     * hand the server a request before then (a Lambda function's init phase).
     */
    public CompletionStage<Void> startupLoading() {
        return startupDone.minimalCompletionStage();
    }

    /** Models that failed to load at start or at a load request and have not loaded since. */
    public List<LoadFailure> failures() {
        return List.copyOf(failures.values());
    }

    /** Models that failed to load at start and have not loaded since. */
    public List<LoadFailure> startupFailures() {
        return failures.values().stream().filter(LoadFailure::atStart).toList();
    }

    void onStart(@Observes StartupEvent event) {
        registry.startupLoading(namesToLoadAtStart());
        Thread loader = new Thread(this::loadRepository, "model-startup-loader");
        loader.setDaemon(true);
        loader.start();
    }

    /** The names of the models the loader will load: those {@code quiver.startup-models} names, else the repository's. */
    private Set<String> namesToLoadAtStart() {
        List<String> wanted = config.startupModels().orElse(List.of());
        Set<String> names = new HashSet<>();
        for (String entry : wanted) {
            names.add(entry.contains("/") ? entry.substring(0, entry.indexOf('/')) : entry);
        }
        if (wanted.isEmpty()) {
            try {
                RepositoryScanner.scan(guard.repository()).forEach(files -> names.add(files.name()));
            } catch (RuntimeException e) {
                // The loader meets it again and records it as a failure at start.
            }
        }
        return names;
    }

    private void loadRepository() {
        try {
            List<ModelFiles> found = RepositoryScanner.scan(guard.repository());
            List<String> wanted = config.startupModels().orElse(List.of());
            if (found.isEmpty() && wanted.isEmpty()) {
                LOG.warnf("no models under %s (quiver.repository); load some with POST /v1/models/load", guard.repository());
            }
            for (ModelFiles files : found) {
                if (wanted.isEmpty() || wanted.contains(files.name()) || wanted.contains(files.name() + "/" + files.version())) {
                    loadAtStart(files);
                }
            }
            for (String entry : wanted) {
                boolean present = found.stream().anyMatch(f -> entry.equals(f.name()) || entry.equals(f.name() + "/" + f.version()));
                if (!present) {
                    int slash = entry.indexOf('/');
                    String name = slash < 0 ? entry : entry.substring(0, slash);
                    String version = slash < 0 ? null : entry.substring(slash + 1);
                    Optional<String> source = modelSource();
                    if (version != null && source.isPresent()) {
                        fetchAtStart(name, version, source.get());
                    } else {
                        failed(new LoadFailure(name, version, "not found under " + guard.repository(), true));
                    }
                }
            }
        } catch (RuntimeException e) {
            failed(new LoadFailure(null, null, "cannot read " + guard.repository() + ": " + e.getMessage(), true));
        } finally {
            registry.startupLoadingDone();
            warmRequestPath();
            startupDone.complete(null);
            LOG.infof("startup loading done: %d model versions, %d failures", registry.slots().size(),
                    startupFailures().size());
        }
    }

    /** Before readiness: whatever becomes of the warm-up, the server goes on to report ready. */
    private void warmRequestPath() {
        try {
            requestPathWarmup.run(registry.slots().stream().map(ModelSlot::info).toList());
        } catch (RuntimeException e) {
            LOG.warnf(e, "the request path's warm-up failed; the first requests pay for the JVM's first pass over it");
        }
    }

    /**
     * {@code quiver.model-source}, or else the bucket document 002's {@code AWS_S3_BUCKET} names: a
     * server given only that bucket fetches the versions it lacks from it, as document 002's loader does.
     */
    private Optional<String> modelSource() {
        return config.modelSource().or(() -> config.s3().bucket().filter(b -> !b.isBlank()).map(b -> "s3://" + b.trim()));
    }

    /** A version the repository lacks, from {@code quiver.model-source}; kept in the repository for the next start. */
    private void fetchAtStart(String name, String version, String source) {
        String location = source.replaceAll("/+$", "") + "/" + name + "/" + version;
        try {
            load(name, version, location);
        } catch (ApiException e) {
            failed(new LoadFailure(name, version, e.getMessage(), true));
        }
    }

    private void loadAtStart(ModelFiles files) {
        try {
            loadVersion(sources.locate(files.name(), files.version(), files.model().getParent().toString()).get(0));
        } catch (ApiException e) {
            failed(new LoadFailure(files.name(), files.version(), e.getMessage(), true));
        }
    }

    /** Serves one version; a failure recorded for it, or for its whole model, is over. */
    private ModelInfo loadVersion(ModelFiles files) {
        ModelInfo info = registry.load(files);
        failures.remove(key(files.name(), files.version()));
        failures.remove(key(files.name(), null));
        return info;
    }

    private LoadFailure failed(LoadFailure failure) {
        LOG.errorf("cannot load model %s", failure);
        failures.put(key(failure.name(), failure.version()), failure);
        return failure;
    }

    /** Sorts by name, then version; the unnamed repository failure first. */
    private static String key(String name, String version) {
        return (name == null ? "" : name) + "\u0000" + (version == null ? "" : version);
    }
}
