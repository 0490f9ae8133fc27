package io.quiver.manager.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quiver.examples.MlflowStandIn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

/**
 * An MLflow tracking server for the test class, as the manager's deployment registry: a stand-in
 * ({@link MlflowStandIn}) because no real MLflow can run here (it is a Python package and no Python
 * package index is reachable). Its registry lists at most two models per page, so that listing
 * takes several; it requires basic auth as {@value #USER}, which the manager is configured with.
 */
public class MlflowTrackingServer implements QuarkusTestResourceLifecycleManager {
    public static final String USER = "deployer";
    public static final String PASSWORD = "pw-9d2c71";
    private static MlflowStandIn server;
    private static Path artifacts;

    @Override
    public Map<String, String> start() {
        try {
            artifacts = Files.createTempDirectory("quiver-manager-mlflow-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server = new MlflowStandIn(artifacts).pageSize(2)
                .register("churn", "1", "mlflow-artifacts:/2/a/artifacts/model")
                .register("churn", "2", "mlflow-artifacts:/2/b/artifacts/model")
                .register("churn", "10", "mlflow-artifacts:/2/c/artifacts/model")
                .register("churn", "3", "mlflow-artifacts:/2/d/artifacts/model", "PENDING_REGISTRATION")
                .register("house_price", "1", "mlflow-artifacts:/1/e/artifacts/model")
                .register("fraud", "1", "mlflow-artifacts:/1/f/artifacts/model")
                .register("zeta", "4", "mlflow-artifacts:/1/g/artifacts/model")
                .register("no versions yet", "1", "mlflow-artifacts:/1/h/artifacts/model")
                .requireAuthorization(basic(USER, PASSWORD));
        return Map.of("quiver.manager.deployments.registry", "mlflow",
                "quiver.manager.deployments.mlflow.tracking-uri", server.url(),
                "quiver.manager.deployments.mlflow.username", USER,
                "quiver.manager.deployments.mlflow.password", PASSWORD);
    }

    @Override
    public void stop() {
        server.close();
        artifacts.toFile().delete();
    }

    public static MlflowStandIn server() {
        return server;
    }

    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
