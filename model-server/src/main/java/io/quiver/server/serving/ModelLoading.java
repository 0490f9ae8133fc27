package io.quiver.server.serving;

import io.quarkus.runtime.StartupEvent;
import io.quiver.server.config.ServerConfig;
import io.quiver.common.error.ApiException;
import io.quiver.server.repository.ModelFiles;
import io.quiver.server.repository.ModelSources;
import io.quiver.server.repository.PathGuard;
import io.quiver.server.repository.RepositoryScanner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Loads models: at start, from the repository (all of it, or {@code quiver.startup-models}), in the
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
    private final AtomicBoolean startupDone = new AtomicBoolean();
    private final List<String> startupFailures = new ArrayList<>();

    ModelLoading(ModelRegistry registry, ModelSources sources, PathGuard guard, ServerConfig config) {
        this.registry = registry;
        this.sources = sources;
        this.guard = guard;
        this.config = config;
    }

    /** Loads what {@code source} names as model {@code name}; every version of a model directory when {@code version} is null. */
    public List<ModelInfo> load(String name, String version, String source) {
        return sources.locate(name, version, source).stream().map(registry::load).toList();
    }

    public boolean startupDone() {
        return startupDone.get();
    }

    public synchronized List<String> startupFailures() {
        return List.copyOf(startupFailures);
    }

    void onStart(@Observes StartupEvent event) {
        Thread loader = new Thread(this::loadRepository, "model-startup-loader");
        loader.setDaemon(true);
        loader.start();
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
                    failed(entry + ": not found under " + guard.repository());
                }
            }
        } catch (RuntimeException e) {
            failed("repository " + guard.repository() + ": " + e.getMessage());
        } finally {
            startupDone.set(true);
            LOG.infof("startup loading done: %d model versions, %d failures", registry.slots().size(),
                    startupFailures().size());
        }
    }

    private void loadAtStart(ModelFiles files) {
        try {
            registry.load(sources.locate(files.name(), files.version(), files.model().getParent().toString()).get(0));
        } catch (ApiException e) {
            failed(files.name() + "/" + files.version() + ": " + e.getMessage());
        }
    }

    private synchronized void failed(String reason) {
        LOG.errorf("cannot load model %s", reason);
        startupFailures.add(reason);
    }
}
