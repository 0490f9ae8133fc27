package io.quiver.server.serving;

import io.micrometer.core.instrument.MeterRegistry;
import io.quiver.server.batching.BatchingPolicy;
import io.quiver.server.cache.ModelResidency;
import io.quiver.server.config.ServerConfig;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.error.ApiException;
import io.quiver.common.error.NotFoundException;
import io.quiver.common.error.UnavailableException;
import io.quiver.server.inference.OnnxModel;
import io.quiver.server.repository.DescriptorReader;
import io.quiver.server.repository.ModelDescriptor;
import io.quiver.server.repository.ModelFiles;
import io.quiver.server.warmup.ModelWarmup;
import io.quiver.server.warmup.WarmupOutcome;
import io.quiver.common.versions.VersionOrder;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.jboss.logging.Logger;

/** The model versions this server serves, by name and version. */
@ApplicationScoped
public class ModelRegistry {
    public static final String LATEST = "latest";
    private static final Logger LOG = Logger.getLogger(ModelRegistry.class);

    private final Map<String, NavigableMap<String, ModelSlot>> models = new ConcurrentHashMap<>();
    /** Every {@code name/version} loaded since start, so that the repository watcher leaves them alone. */
    private final Set<String> everServed = ConcurrentHashMap.newKeySet();
    private final ModelResidency residency;
    private final ServerConfig config;
    private final MeterRegistry meters;
    private final ModelWarmup warmup;
    /**
     * The names of the models still to be loaded at start: a request for one of them that is not
     * loaded yet is answered 503 (retry), not 404.
     */
    private volatile Set<String> loadingAtStart = Set.of();

    ModelRegistry(ModelResidency residency, ServerConfig config, MeterRegistry meters, ModelWarmup warmup) {
        this.residency = residency;
        this.config = config;
        this.meters = meters;
        this.warmup = warmup;
    }

    /**
     * Opens the model, warms it up and serves it; a version already loaded under that name is replaced, and
     * requests it was running finish on the old session.
     */
    public ModelInfo load(ModelFiles files) {
        ModelDescriptor descriptor = DescriptorReader.read(files.descriptor());
        long size = sizeOf(files);
        OnnxModel opened = OnnxModel.open(files.model(), config.onnx().intraOpThreads());
        ModelSlot[] replaced = {null};
        ModelInfo info;
        try {
            DescriptorReader.check(files.descriptor(), opened.signature());
            // Before the version is published: neither a client nor readiness sees it unwarmed,
            // and a version it replaces serves meanwhile.
            WarmupOutcome warmed = warmup.warm(files.name() + ":" + files.version(), opened, descriptor.warmup());
            info = new ModelInfo(files.name(), files.version(), descriptor, opened.signature(), files.model(), size,
                    Instant.now());
            BatchingPolicy batching = BatchingPolicy.of(config.batching(), descriptor.batching())
                    .forSignature(opened.signature());
            // The slot is made, published and counted against the memory budget under the model's
            // entry, which an unload of that model takes too: so an unload sees either no slot or a
            // counted one, never a slot it cannot reach.
            models.compute(files.name(), (name, versions) -> {
                NavigableMap<String, ModelSlot> served = versions != null ? versions
                        : new ConcurrentSkipListMap<>(VersionOrder.INSTANCE);
                ModelSlot previous = served.get(files.version());
                VersionMeters versionMeters = previous != null ? previous.meters()
                        : new VersionMeters(meters, info, batching.enabled());
                ModelSlot slot;
                try {
                    slot = new ModelSlot(info, opened, residency,
                            descriptor.workers() != null ? descriptor.workers() : config.workers().perModel(),
                            descriptor.maxQueue() != null ? descriptor.maxQueue() : config.workers().maxQueue(),
                            config.workers().retryAfterSeconds(), config.workers().idleTimeout(),
                            config.workers().inlineRunsUnder(), config.onnx().intraOpThreads(),
                            batching, versionMeters);
                } catch (RuntimeException | Error e) {
                    if (previous == null) {
                        versionMeters.close();
                    }
                    throw e;
                }
                versionMeters.warmedUp(warmed);
                served.put(files.version(), slot);
                residency.admit(slot);
                replaced[0] = previous;
                return served;
            });
        } catch (RuntimeException | Error e) {
            opened.close();
            throw e;
        }
        everServed.add(files.name() + "/" + files.version());
        if (replaced[0] != null) {
            replaced[0].retire();
        }
        LOG.infof("%s model %s from %s", replaced[0] == null ? "loaded" : "replaced", info, files.model());
        return info;
    }

    /** Unloads one version; requests already accepted for it still finish. */
    public ModelInfo unload(String name, String version) {
        ModelSlot[] removed = {null};
        NavigableMap<String, ModelSlot> left = models.computeIfPresent(name, (n, versions) -> {
            removed[0] = versions.remove(version);
            if (removed[0] != null) {
                // Under the entry, so that a load of the same version that follows registers its own meters.
                removed[0].meters().close();
            }
            return versions.isEmpty() ? null : versions;
        });
        if (removed[0] == null) {
            throw left == null ? notLoaded(name) : noVersion(name, version, left);
        }
        removed[0].retire();
        return removed[0].info();
    }

    /** Unloads every version of a model. */
    public List<ModelInfo> unload(String name) {
        List<ModelSlot> removed = new ArrayList<>();
        models.computeIfPresent(name, (n, versions) -> {
            removed.addAll(versions.values());
            removed.forEach(slot -> slot.meters().close());
            return null;
        });
        if (removed.isEmpty()) {
            throw notLoaded(name);
        }
        removed.forEach(ModelSlot::retire);
        return removed.stream().map(ModelSlot::info).toList();
    }

    /** The slot for {@code name} at {@code version}; null, blank or "latest" mean the highest version. */
    public ModelSlot resolve(String name, String version) {
        NavigableMap<String, ModelSlot> versions = versionsOf(name);
        return pick(name, version, versions);
    }

    /**
     * For the unified {@code /predict}: a model named {@code modelType}, else the one model whose
     * descriptor declares that type (case-insensitive).
     */
    public ModelSlot resolveByType(String modelType, String version) {
        if (models.containsKey(modelType)) {
            return resolve(modelType, version);
        }
        List<String> names = models.entrySet().stream()
                .filter(e -> !e.getValue().isEmpty())
                .filter(e -> modelType.equalsIgnoreCase(e.getValue().lastEntry().getValue().info().modelType()))
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
        if (names.isEmpty()) {
            throw notYetOr(modelType, new NotFoundException("no loaded model is named or has model_type '"
                    + modelType + "'; loaded: " + names()), "model_type '" + modelType + "'");
        }
        if (names.size() > 1) {
            throw new BadRequestException("model_type '" + modelType + "' matches several models " + names
                    + "; name one of them in model_type");
        }
        return resolve(names.get(0), version);
    }

    /** The models loading at start are those named {@code names}. */
    void startupLoading(Set<String> names) {
        loadingAtStart = Set.copyOf(names);
    }

    /** Called once loading at start is over, whatever loaded: a model not loaded from now on is not found. */
    void startupLoadingDone() {
        loadingAtStart = Set.of();
    }

    /** Whether this version was loaded at some time since the server started, unloaded since or not. */
    public boolean servedSinceStart(String name, String version) {
        return everServed.contains(name + "/" + version);
    }

    public List<String> names() {
        return models.keySet().stream().sorted().toList();
    }

    /** Every loaded version, by name then version order. */
    public List<ModelSlot> slots() {
        List<ModelSlot> all = new ArrayList<>();
        names().forEach(n -> {
            NavigableMap<String, ModelSlot> versions = models.get(n);
            if (versions != null) {
                all.addAll(versions.values());
            }
        });
        return all;
    }

    public List<ModelSlot> slots(String name) {
        return List.copyOf(versionsOf(name).values());
    }

    private NavigableMap<String, ModelSlot> versionsOf(String name) {
        NavigableMap<String, ModelSlot> versions = models.get(name);
        if (versions == null || versions.isEmpty()) {
            throw notLoaded(name);
        }
        return versions;
    }

    private ModelSlot pick(String name, String version, NavigableMap<String, ModelSlot> versions) {
        if (version == null || version.isBlank() || version.toLowerCase(Locale.ROOT).equals(LATEST)) {
            Map.Entry<String, ModelSlot> last = versions.lastEntry();
            if (last == null) {
                throw new NotFoundException("model '" + name + "' has no loaded version");
            }
            return last.getValue();
        }
        ModelSlot slot = versions.get(version);
        if (slot == null) {
            throw notYetOr(name, noVersion(name, version, versions), "model '" + name + "' version '" + version + "'");
        }
        return slot;
    }

    private ApiException notLoaded(String name) {
        return notYetOr(name, new NotFoundException("model '" + name + "' is not loaded; loaded models: " + names()),
                "model '" + name + "'");
    }

    /** {@code notFound}, or 503 while the model {@code name} is one still to be loaded at start. */
    private ApiException notYetOr(String name, NotFoundException notFound, String what) {
        if (!loadingAtStart.contains(name)) {
            return notFound;
        }
        return new UnavailableException(what + " is not loaded yet: this server is still loading its models "
                + "at start; retry", 1);
    }

    private static NotFoundException noVersion(String name, String version, NavigableMap<String, ModelSlot> versions) {
        return new NotFoundException("model '" + name + "' has no version '" + version + "'; loaded versions: "
                + versions.keySet());
    }

    /** The memory a version's session is counted for: its file, whose weights it holds, and the session's own. */
    private long sizeOf(ModelFiles files) {
        try {
            return Files.size(files.model()) + config.cache().sessionOverhead().asLongValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
