package io.quiver.server.serving;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.quarkus.scheduler.Scheduler;
import io.quiver.common.error.ApiException;
import io.quiver.server.config.ServerConfig;
import io.quiver.server.repository.ModelFiles;
import io.quiver.server.repository.PathGuard;
import io.quiver.server.repository.RepositoryScanner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Loads model versions that appear in the repository while the server runs, so that every replica
 * sharing a repository serves a version published by any of them. Only versions never seen before
 * are loaded: one unloaded through the API stays unloaded.
 *
 * <p>Scans run on the Quarkus scheduler, one at a time: a scan that throws is logged by the
 * scheduler and the next one runs on time, so one unreadable directory cannot end the watching.
 */
@ApplicationScoped
public class RepositoryWatcher {
    private static final Logger LOG = Logger.getLogger(RepositoryWatcher.class);

    private final ModelRegistry registry;
    private final ModelLoading loading;
    private final PathGuard guard;
    private final ServerConfig config;
    private final Scheduler scheduler;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    RepositoryWatcher(ModelRegistry registry, ModelLoading loading, PathGuard guard, ServerConfig config,
                      Scheduler scheduler) {
        this.registry = registry;
        this.loading = loading;
        this.guard = guard;
        this.config = config;
        this.scheduler = scheduler;
    }

    void onStart(@Observes StartupEvent event) {
        Duration interval = config.repositoryPollInterval();
        if (interval.isNegative() || interval.isZero()) {
            return;
        }
        scheduler.newJob("repository-watcher")
                .setInterval(interval.toString())
                .setDelayed(interval.toString())
                .setConcurrentExecution(ConcurrentExecution.SKIP)
                .setTask(execution -> scan())
                .schedule();
    }

    /**
     * Loads every version on disk that this server has neither served nor tried before: a version
     * trained here, or loaded through the API, and unloaded before this scan stays unloaded.
     */
    void scan() {
        if (!loading.startupDone()) {
            return;
        }
        List<String> wanted = config.startupModels().orElse(List.of());
        for (ModelFiles files : RepositoryScanner.scan(guard.repository())) {
            String key = key(files.name(), files.version());
            if (registry.servedSinceStart(files.name(), files.version()) || !seen.add(key)
                    || !wanted.isEmpty() && !wanted.contains(files.name()) && !wanted.contains(key)) {
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
