package io.quiver.manager.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A fresh registry directory per test run, and a services file in reference document 003's shape. */
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
            return Map.of(
                    "quiver.manager.registry.data-dir", base.resolve("data").toString(),
                    "quiver.manager.registry.services-file", servicesFile().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
    }

    public static Path servicesFile() {
        return base.resolve("services.json");
    }
}
