package io.quiver.server.serving;

import io.quiver.common.concurrent.DaemonTimer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quiver.common.error.ApiException;
import io.quiver.server.config.ServerConfig;
import io.quiver.server.repository.ModelFiles;
import io.quiver.server.repository.PathGuard;
import io.quiver.server.repository.RepositoryScanner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Loads model versions that appear in the repository while the server runs, so that every replica
 * sharing a repository serves a version published by any of them. Only versions never seen before
 * are loaded: one unloaded through the API stays unloaded.
 */
@ApplicationScoped
public class RepositoryWatcher {
    private static final Logger LOG = Logger.getLogger(RepositoryWatcher.class);

    private final ModelRegistry registry;
    private final ModelLoading loading;
    private final PathGuard guard;
    private final ServerConfig config;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService timer;
    private boolean primed;

    RepositoryWatcher(ModelRegistry registry, ModelLoading loading, PathGuard guard, ServerConfig config) {
        this.registry = registry;
        this.loading = loading;
        this.guard = guard;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        long interval = config.repositoryPollInterval().toMillis();
        if (interval <= 0) {
            return;
        }
        timer = DaemonTimer.named("repository-watcher");
        timer.scheduleWithFixedDelay(this::scan, interval, interval, TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** Loads every version on disk that this server has not seen before. */
    void scan() {
        if (!loading.startupDone()) {
            return;
        }
        if (!primed) {
            registry.slots().forEach(slot -> seen.add(key(slot.info().name(), slot.info().version())));
            primed = true;
        }
        List<String> wanted = config.startupModels().orElse(List.of());
        for (ModelFiles files : RepositoryScanner.scan(guard.repository())) {
            String key = key(files.name(), files.version());
            if (!seen.add(key) || !wanted.isEmpty() && !wanted.contains(files.name()) && !wanted.contains(key)) {
                continue;
            }
            try {
                loading.load(files.name(), files.version(), files.model().getParent().toString());
                LOG.infof("loaded %s, new in the repository", key);
            } catch (ApiException e) {
                LOG.errorf("cannot load %s, new in the repository: %s", key, e.getMessage());
            }
        }
    }

    private static String key(String name, String version) {
        return name + "/" + version;
    }
}
