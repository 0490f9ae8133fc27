package io.quiver.server.serving;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quiver.server.batching.BatchingPolicy;
import io.quiver.server.batching.RunObserver;
import io.quiver.server.cache.ModelResidency;
import io.quiver.server.config.ServerConfig;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.error.NotFoundException;
import io.quiver.server.inference.OnnxModel;
import io.quiver.server.repository.DescriptorReader;
import io.quiver.server.repository.ModelDescriptor;
import io.quiver.server.repository.ModelFiles;
import io.quiver.server.repository.VersionOrder;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/** The model versions this server serves, by name and version. */
@ApplicationScoped
public class ModelRegistry {
    public static final String LATEST = "latest";
    private static final Logger LOG = Logger.getLogger(ModelRegistry.class);

    private final Map<String, NavigableMap<String, ModelSlot>> models = new ConcurrentHashMap<>();
    private final ModelResidency residency;
    private final ServerConfig config;
    private final MeterRegistry meters;

    ModelRegistry(ModelResidency residency, ServerConfig config, MeterRegistry meters) {
        this.residency = residency;
        this.config = config;
        this.meters = meters;
    }

    /**
     * Opens the model and serves it; a version already loaded under that name is replaced, and
     * requests it was running finish on the old session.
     */
    public ModelInfo load(ModelFiles files) {
        ModelDescriptor descriptor = DescriptorReader.read(files.descriptor());
        OnnxModel opened = OnnxModel.open(files.model(), config.onnx().intraOpThreads());
        ModelInfo info = new ModelInfo(files.name(), files.version(), descriptor, opened.signature(), files.model(),
                sizeOf(files), Instant.now());
        BatchingPolicy batching = BatchingPolicy.of(config.batching(), descriptor.batching())
                .forSignature(opened.signature());
        ModelSlot slot = new ModelSlot(info, opened, residency,
                descriptor.workers() != null ? descriptor.workers() : config.workers().perModel(),
                descriptor.maxQueue() != null ? descriptor.maxQueue() : config.workers().maxQueue(),
                config.workers().retryAfterSeconds(), config.onnx().intraOpThreads(),
                batching, batchRuns(info));
        ModelSlot replaced = models.computeIfAbsent(files.name(), n -> new ConcurrentSkipListMap<>(VersionOrder.INSTANCE))
                .put(files.version(), slot);
        residency.admit(slot);
        if (replaced != null) {
            replaced.retire();
        }
        LOG.infof("%s model %s from %s", replaced == null ? "loaded" : "replaced", info, files.model());
        return info;
    }

    /**
     * Rows per ONNX Runtime run of a batching version, {@code quiver_batch_rows} in Prometheus, and
     * how long each run took, {@code quiver_batch_run_seconds}: together they tell whether a latency
     * is the model's run or the wait for one.
     */
    private RunObserver batchRuns(ModelInfo info) {
        DistributionSummary rows = DistributionSummary.builder("quiver.batch.rows")
                .description("Rows in one run of a model that batches requests")
                .baseUnit("rows")
                .tags("model", info.name(), "version", info.version())
                .register(meters);
        Timer runs = Timer.builder("quiver.batch.run")
                .description("Time of one ONNX Runtime run of a model that batches requests")
                .tags("model", info.name(), "version", info.version())
                .register(meters);
        return (count, nanos) -> {
            rows.record(count);
            runs.record(nanos, TimeUnit.NANOSECONDS);
        };
    }

    /** Unloads one version; requests already accepted for it still finish. */
    public ModelInfo unload(String name, String version) {
        NavigableMap<String, ModelSlot> versions = versionsOf(name);
        ModelSlot slot = versions.remove(version);
        if (slot == null) {
            throw noVersion(name, version, versions);
        }
        models.computeIfPresent(name, (n, v) -> v.isEmpty() ? null : v);
        slot.retire();
        return slot.info();
    }

    /** Unloads every version of a model. */
    public List<ModelInfo> unload(String name) {
        NavigableMap<String, ModelSlot> versions = models.remove(name);
        if (versions == null) {
            throw notLoaded(name);
        }
        versions.values().forEach(ModelSlot::retire);
        return versions.values().stream().map(ModelSlot::info).toList();
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
            throw new NotFoundException("no loaded model is named or has model_type '" + modelType + "'; loaded: "
                    + names());
        }
        if (names.size() > 1) {
            throw new BadRequestException("model_type '" + modelType + "' matches several models " + names
                    + "; name one of them in model_type");
        }
        return resolve(names.get(0), version);
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

    private static ModelSlot pick(String name, String version, NavigableMap<String, ModelSlot> versions) {
        if (version == null || version.isBlank() || version.toLowerCase(Locale.ROOT).equals(LATEST)) {
            Map.Entry<String, ModelSlot> last = versions.lastEntry();
            if (last == null) {
                throw new NotFoundException("model '" + name + "' has no loaded version");
            }
            return last.getValue();
        }
        ModelSlot slot = versions.get(version);
        if (slot == null) {
            throw noVersion(name, version, versions);
        }
        return slot;
    }

    private NotFoundException notLoaded(String name) {
        return new NotFoundException("model '" + name + "' is not loaded; loaded models: " + names());
    }

    private static NotFoundException noVersion(String name, String version, NavigableMap<String, ModelSlot> versions) {
        return new NotFoundException("model '" + name + "' has no version '" + version + "'; loaded versions: "
                + versions.keySet());
    }

    private static long sizeOf(ModelFiles files) {
        try {
            return Files.size(files.model());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
