package io.quiver.server.serving;

import io.quiver.server.repository.ModelFiles;
import io.quiver.server.repository.PathGuard;
import io.quiver.server.repository.RepositoryScanner;
import io.quiver.common.versions.VersionOrder;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The model repository as its index shows it: every version served, every model that failed to
 * load and has not loaded since, and every version on disk that is not served (never loaded, or
 * unloaded), so that a client can see what it may load.
 */
@ApplicationScoped
public class RepositoryIndex {
    public static final String READY = "READY";
    public static final String UNAVAILABLE = "UNAVAILABLE";
    private static final Logger LOG = Logger.getLogger(RepositoryIndex.class);

    private final ModelRegistry registry;
    private final ModelLoading loading;
    private final PathGuard guard;

    RepositoryIndex(ModelRegistry registry, ModelLoading loading, PathGuard guard) {
        this.registry = registry;
        this.loading = loading;
        this.guard = guard;
    }

    /** One model version in the index; {@code version} is empty when a failure could name none, {@code reason} when it is ready. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "RepositoryIndexEntry")
    public record Entry(String name, String version, String state, String reason) {
    }

    /** By name, then version; only the versions served when {@code readyOnly}. */
    public List<Entry> entries(boolean readyOnly) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, LoadFailure> failures = new HashMap<>();
        for (LoadFailure failure : loading.failures()) {
            if (failure.name() != null) {
                failures.put(key(failure.name(), failure.version() == null ? "" : failure.version()), failure);
            }
        }
        if (!readyOnly) {
            for (ModelFiles files : onDisk()) {
                entries.put(key(files.name(), files.version()),
                        new Entry(files.name(), files.version(), UNAVAILABLE, "not loaded"));
            }
            failures.forEach((key, failure) -> entries.put(key, new Entry(failure.name(),
                    failure.version() == null ? "" : failure.version(), UNAVAILABLE, failure.reason())));
        }
        for (ModelSlot slot : registry.slots()) {
            ModelInfo info = slot.info();
            String key = key(info.name(), info.version());
            LoadFailure reload = failures.get(key);
            // A reload that failed leaves the version loaded before it serving: ready, with the reason.
            String reason = reload == null ? "" : "the last load failed; the version loaded before serves: "
                    + reload.reason();
            entries.put(key, new Entry(info.name(), info.version(), READY, reason));
        }
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparing(Entry::name).thenComparing(Entry::version, VersionOrder.INSTANCE));
        return sorted;
    }

    private List<ModelFiles> onDisk() {
        try {
            return RepositoryScanner.scan(guard.repository());
        } catch (UncheckedIOException e) {
            LOG.warnf("cannot list the repository %s for its index: %s", guard.repository(), e.getMessage());
            return List.of();
        }
    }

    private static String key(String name, String version) {
        return name + "/" + version;
    }
}
