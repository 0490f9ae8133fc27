package io.quiver.manager.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A fresh registry directory per test run, a services file in reference document 003's shape, and an
 * experiments file.
 */
public class TempDataDir implements QuarkusTestResourceLifecycleManager {
    private static Path base;

    @Override
    public Map<String, String> start() {
        try {
            base = Files.createTempDirectory("quiver-manager-test-");
            Files.writeString(servicesFile(), """
                    {
                        "services": {
                            "lstm_model": {
                                "service_url": "http://127.0.0.1:9",
                                "model_type": "LSTM",
                                "capabilities": ["training", "prediction"],
                                "max_concurrent_requests": 5,
                                "timeout": 30
                            },
                            "lstm_multistep_model": {
                                "service_url": "http://127.0.0.1:9",
                                "model_type": "LSTM_MULTISTEP",
                                "capabilities": ["training", "multistep_prediction"],
                                "max_concurrent_requests": 3,
                                "timeout": 60
                            }
                        }
                    }
                    """);
            Files.writeString(experimentsFile(), """
                    {
                        "experiments": {
                            "from_file": {
                                "variants": [
                                    {"name": "a", "model_type": "regression", "model_version": "1", "weight": 90},
                                    {"name": "b", "model_type": "regression", "model_version": 2, "weight": 10}
                                ],
                                "sticky_header": "X-User-Id"
                            },
                            "broken_in_file": {"variants": [{"name": "a", "model_type": "regression", "weight": -1}]}
                        }
                    }
                    """);
            return Map.of(
                    "quiver.manager.registry.data-dir", dataDir().toString(),
                    "quiver.manager.registry.services-file", servicesFile().toString(),
                    "quiver.manager.experiments.file", experimentsFile().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
    }

    public static Path dataDir() {
        return base.resolve("data");
    }

    /** Experiments to create at start: one valid, one the manager must skip. */
    public static Path experimentsFile() {
        return base.resolve("experiments.json");
    }

    public static Path servicesFile() {
        return base.resolve("services.json");
    }
}
