package io.quiver.manager.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.quiver.manager.config.ManagerConfig;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a restart keeps: every acknowledged change, and the experiments file only fills gaps. */
class ExperimentStoreTest {
    @TempDir
    Path dir;

    @Test
    void aRestartKeepsApiChangesAndTheFileOnlyAddsWhatIsMissing() throws IOException {
        Path file = dir.resolve("experiments-file.json");
        Files.writeString(file, """
                {"experiments": {
                  "canary": {"variants": [{"name": "a", "model_type": "t", "weight": 95},
                                          {"name": "b", "model_type": "t", "weight": 5}]},
                  "other": {"variants": [{"name": "only", "model_type": "t", "weight": 1}]}}}
                """);
        ExperimentStore first = new ExperimentStore(manager(dir.resolve("data")), experiments(file));
        assertEquals(List.of("canary", "other"), first.all().stream().map(Experiment::name).toList());
        first.changeWeights("canary", new WeightChange(new java.util.LinkedHashMap<>(java.util.Map.of("a", 50, "b", 50)), null));
        first.delete("other");

        ExperimentStore restarted = new ExperimentStore(manager(dir.resolve("data")), experiments(file));
        assertEquals(List.of(50, 50), restarted.get("canary").variants().stream().map(Variant::weight).toList(),
                "the canary stays where the API moved it");
        assertEquals(1, restarted.get("other").variants().size(), "an experiment missing from the store comes from the file");
        assertFalse(Files.exists(dir.resolve("data").resolve("experiments.json.tmp")), "no temporary file is left");

        ExperimentStore withoutFile = new ExperimentStore(manager(dir.resolve("data")), experiments(null));
        assertEquals(List.of("canary", "other"), withoutFile.all().stream().map(Experiment::name).toList());
    }

    private static ManagerConfig manager(Path dataDir) {
        ManagerConfig.Registry registry = stub(ManagerConfig.Registry.class, Map.of("dataDir", dataDir));
        return stub(ManagerConfig.class, Map.of("registry", registry));
    }

    private static ExperimentsConfig experiments(Path file) {
        return stub(ExperimentsConfig.class, Map.of("file", Optional.ofNullable(file), "shadowCapacity", 16,
                "agreementTolerance", 0.001, "aggregateDeadline", Duration.ofSeconds(2),
                "maxAggregateDeadline", Duration.ofSeconds(30)));
    }

    /** A config interface answering the named methods; any other call is a mistake in the test. */
    private static <T> T stub(Class<T> type, Map<String, Object> answers) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (!answers.containsKey(method.getName())) {
                throw new UnsupportedOperationException(method.getName());
            }
            return answers.get(method.getName());
        }));
    }
}
