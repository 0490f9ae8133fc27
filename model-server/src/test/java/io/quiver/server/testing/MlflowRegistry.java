package io.quiver.server.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quiver.examples.MlflowStandIn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * An MLflow tracking server for the test class: {@link MlflowStandIn}, since no real MLflow can run
 * here (a Python package, and no Python package index is reachable). Its registry holds
 * {@value #MODEL} versions 1 and 2 (alias {@code champion} on 2) as MLflow model directories behind
 * its artifact proxy, a version whose {@code MLmodel} is broken and one whose signature the model
 * cannot take; it requires the bearer token {@value #TOKEN}, which the server is configured with.
 */
public class MlflowRegistry implements QuarkusTestResourceLifecycleManager {
    public static final String MODEL = "house_prices";
    public static final String BROKEN = "broken_mlmodel";
    public static final String MISFIT = "misfit_signature";
    public static final String TOKEN = "tracking-token-7f3a";
    private static Path artifacts;
    private static MlflowStandIn server;

    @Override
    public Map<String, String> start() {
        try {
            artifacts = Files.createTempDirectory("quiver-mlflow-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        MlflowStandIn.writeHousePriceModel(artifacts.resolve("1/run1/artifacts/model"), 1);
        MlflowStandIn.writeHousePriceModel(artifacts.resolve("1/run2/artifacts/model"), 2);
        MlflowStandIn.writeHousePriceModel(artifacts.resolve("1/run3/artifacts/model"), 1);
        write(artifacts.resolve("1/run3/artifacts/model/MLmodel"), "flavors:\n  sklearn:\n    pickled_model: model.pkl\n");
        MlflowStandIn.writeModel(artifacts.resolve("1/run4/artifacts/model"), bytes(artifacts.resolve(
                "1/run1/artifacts/model/model.onnx")), "[{\"type\": \"double\", \"name\": \"sqft\"}, "
                + "{\"type\": \"double\", \"name\": \"rooms\"}]");
        server = new MlflowStandIn(artifacts)
                .register(MODEL, "1", "mlflow-artifacts:/1/run1/artifacts/model")
                .register(MODEL, "2", "mlflow-artifacts:/1/run2/artifacts/model")
                .alias(MODEL, "champion", "2")
                .register(BROKEN, "1", "mlflow-artifacts:/1/run3/artifacts/model")
                .register(MISFIT, "1", "mlflow-artifacts:/1/run4/artifacts/model")
                .requireAuthorization("Bearer " + TOKEN);
        return Map.of("quiver.mlflow.tracking-uri", server.url(), "quiver.mlflow.token", TOKEN);
    }

    @Override
    public void stop() {
        server.close();
        try (Stream<Path> files = Files.walk(artifacts)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temp directory left behind is harmless.
        }
    }

    public static MlflowStandIn server() {
        return server;
    }

    /** Where the stand-in keeps its artifacts: MLflow model directories, one per run. */
    public static Path artifacts() {
        return artifacts;
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
