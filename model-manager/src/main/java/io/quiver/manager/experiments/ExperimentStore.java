package io.quiver.manager.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.common.error.ApiException;
import io.quiver.common.error.NotFoundException;
import io.quiver.common.files.DurableFiles;
import io.quiver.manager.config.ManagerConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The experiments the manager routes by. Every change is written to {@code experiments.json} in the
 * data directory (a temporary file, forced to disk, renamed over the old one) before it is
 * acknowledged and before routing sees it, so a restart or a crash keeps every acknowledged change
 * and never leaves a torn file. The experiments file only adds experiments the store lacks: a canary
 * moved through the API stays where it was moved when the manager restarts.
 */
@ApplicationScoped
public class ExperimentStore {
    private static final Logger LOG = Logger.getLogger(ExperimentStore.class);
    private static final String FILE = "experiments.json";

    private final Path dir;
    private final Map<String, Assignment> live = new ConcurrentHashMap<>();

    ExperimentStore(ManagerConfig manager, ExperimentsConfig config) {
        this.dir = manager.registry().dataDir();
        Path stored = dir.resolve(FILE);
        if (Files.exists(stored)) {
            read(stored).forEach((name, body) -> live.put(name, new Assignment(ExperimentJson.read(name, body))));
        }
        config.file().ifPresent(this::seed);
    }

    /** Loads the store and the experiments file at start, not at the first request that needs them. */
    void onStart(@Observes StartupEvent event) {
        LOG.infof("%d experiments: %s", live.size(), new TreeMap<>(live).keySet());
    }

    public Experiment get(String name) {
        return assignment(name).experiment();
    }

    Assignment assignment(String name) {
        Assignment assignment = live.get(name);
        if (assignment == null) {
            throw new NotFoundException("no experiment '" + name + "'; create it with PUT /experiments/" + name);
        }
        return assignment;
    }

    public List<Experiment> all() {
        return live.values().stream().map(Assignment::experiment)
                .sorted(Comparator.comparing(Experiment::name)).toList();
    }

    /** Creates or replaces an experiment; true when it is new. */
    public synchronized boolean put(Experiment experiment) {
        Map<String, Experiment> next = snapshot();
        boolean created = next.put(experiment.name(), experiment) == null;
        write(next);
        live.put(experiment.name(), new Assignment(experiment));
        LOG.infof("%s experiment %s", created ? "created" : "replaced", experiment.name());
        return created;
    }

    public synchronized Experiment changeWeights(String name, WeightChange change) {
        Experiment changed = change.apply(get(name));
        put(changed);
        return changed;
    }

    public synchronized Experiment delete(String name) {
        Experiment removed = get(name);
        Map<String, Experiment> next = snapshot();
        next.remove(name);
        write(next);
        live.remove(name);
        LOG.infof("ended experiment %s", name);
        return removed;
    }

    private Map<String, Experiment> snapshot() {
        Map<String, Experiment> all = new TreeMap<>();
        live.forEach((name, assignment) -> all.put(name, assignment.experiment()));
        return all;
    }

    private void seed(Path file) {
        Map<String, JsonNode> declared;
        try {
            declared = read(file);
        } catch (RuntimeException e) {
            LOG.errorf("cannot read the experiments file %s: %s", file, e.getMessage());
            return;
        }
        declared.forEach((name, body) -> {
            if (live.containsKey(name)) {
                LOG.infof("experiment %s from %s is already stored; the stored one is kept", name, file);
                return;
            }
            try {
                put(ExperimentJson.read(name, body));
            } catch (ApiException e) {
                LOG.errorf("experiment '%s' in %s is invalid: %s", name, file, e.getMessage());
            }
        });
    }

    private static Map<String, JsonNode> read(Path file) {
        try {
            return ExperimentJson.byName(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (ApiException | IllegalStateException e) {
            throw new IllegalStateException(file + ": " + e.getMessage(), e);
        }
    }

    /** Stores the experiments; refused by the disk, nothing changes and the caller gets a 503. */
    private void write(Map<String, Experiment> experiments) {
        byte[] content;
        try {
            content = ExperimentJson.write(experiments);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the experiments as JSON", e);
        }
        DurableFiles.replace(dir.resolve(FILE), content, "the experiments store");
    }
}
