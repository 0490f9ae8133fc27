package io.quiver.manager.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.examples.MlflowStandIn;
import io.quiver.examples.ReferenceModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Deployments from an MLflow registry, end to end: a packaged manager with
 * {@code QUIVER_REGISTRY_URI=mlflow} lists the registry and deploys a version as a packaged
 * model-server of its own, which fetches {@code models:/<model>/<version>} through the tracking
 * server with the token the manager hands it, and scores rows by the {@code MLmodel} signature's
 * feature names. The tracking server is {@link MlflowStandIn}, a stand-in serving the shapes MLflow's
 * REST API documents, because no real MLflow can run here: it is a Python package and no Python
 * package index is reachable.
 */
class MeshMlflowDeploymentsIT {
    private static final String TRACKING_TOKEN = "mesh-mlflow-tracking-token";
    private static final String CONTROL_TOKEN = "mlflow-it-control-token";
    /** One deployment at a time, holding an HTTP and a gRPC port, and one port to spare. */
    private static final int PORT_BASE = 20_000 + 3 * ThreadLocalRandom.current().nextInt(4_000);
    private static final Path JVM_OPTIONS = Path.of("..", "deploy", "jvm.options").toAbsolutePath().normalize();
    private static final Set<Long> SEEN = ConcurrentHashMap.newKeySet();
    private static final MlflowStandIn MLFLOW = trackingServer();

    @RegisterExtension
    static final Mesh MESH = Mesh.withReplicas(0).withApiTokens(CONTROL_TOKEN, "mlflow-it-data-token")
            .managerSetting("QUIVER_REGISTRY_URI", "mlflow")
            .managerSetting("QUIVER_MANAGER_DEPLOYMENTS_MLFLOW_TRACKING_URI", MLFLOW.url())
            .managerSetting("QUIVER_MANAGER_DEPLOYMENTS_MLFLOW_TOKEN", TRACKING_TOKEN)
            .managerSetting("QUIVER_MANAGER_DEPLOYMENTS_SERVER_JAR", System.getProperty("quiver.mesh.server-jar", ""))
            .managerSetting("QUIVER_MANAGER_DEPLOYMENTS_JVM_OPTIONS", "@" + JVM_OPTIONS)
            .managerSetting("QUIVER_MANAGER_DEPLOYMENTS_PORT_MIN", Integer.toString(PORT_BASE))
            .managerSetting("QUIVER_MANAGER_DEPLOYMENTS_PORT_MAX", Integer.toString(PORT_BASE + 2));

    private static MlflowStandIn trackingServer() {
        try {
            Path root = Path.of(System.getProperty("quiver.mesh.work-dir", "target/mesh")).toAbsolutePath();
            Files.createDirectories(root);
            Path artifacts = Files.createTempDirectory(root, "mlflow-artifacts-");
            MlflowStandIn.writeHousePriceModel(artifacts.resolve("1/run1/artifacts/model"), 1);
            MlflowStandIn.writeHousePriceModel(artifacts.resolve("1/run2/artifacts/model"), 2);
            return new MlflowStandIn(artifacts)
                    .register("house_prices", "1", "mlflow-artifacts:/1/run1/artifacts/model")
                    .register("house_prices", "2", "mlflow-artifacts:/1/run2/artifacts/model")
                    .requireAuthorization("Bearer " + TRACKING_TOKEN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void leaveNoProcess() {
        SEEN.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        MLFLOW.close();
    }

    @Test
    void aRegistryVersionIsDeployedFetchedByItsOwnServerAndScoredByItsSignature() throws IOException {
        JsonNode models = MESH.http().getJson(MESH.managerUri("/get_model_list"));
        assertEquals("MLflow tracking server " + MLFLOW.url(), models.path("registry").asText(), models.toString());
        assertEquals(List.of("house_prices"), texts(models.path("models")));
        assertEquals(List.of("1", "2"), texts(MESH.http().getJson(MESH.managerUri("/get_model_version_list/house_prices"))
                .path("versions")));

        Http.Answer deployed = MESH.http().post(MESH.managerUri("/deploy/house_prices/2"), "");
        if (deployed.json().has("pid")) {
            SEEN.add(deployed.json().path("pid").asLong());
        }
        assertEquals(201, deployed.status(), deployed.toString());
        assertEquals("running", deployed.json().path("state").asText());
        long pid = deployed.json().path("pid").asLong();
        String commandLine = String.join(" ", ProcessHandle.of(pid).orElseThrow().info().arguments().orElseThrow());
        assertFalse(commandLine.contains(TRACKING_TOKEN), "the token is not on the command line: " + commandLine);
        assertTrue(MLFLOW.requests().stream().anyMatch(r -> r.startsWith("/api/2.0/mlflow/model-versions/get-download-uri")
                && r.contains("version=2")), "the model-server asked where version 2 is: " + MLFLOW.requests());
        assertTrue(MLFLOW.requests().contains("/api/2.0/mlflow-artifacts/artifacts/1/run2/artifacts/model/model.onnx"),
                "and fetched it through the artifact proxy: " + MLFLOW.requests());

        // Named features in another order than the signature's: the signature puts them in place.
        Http.Answer scored = MESH.http().post(MESH.managerUri("/house_prices-2/invocations"),
                "{\"dataframe_records\": [{\"age\": 20, \"sqft\": 1200, \"rooms\": 3}]}");
        assertEquals(200, scored.status(), scored.toString());
        JsonNode prediction = scored.json().path("predictions").path(0);
        double price = prediction.isArray() ? prediction.path(0).asDouble() : prediction.asDouble();
        double expected = ReferenceModels.housePrice(2, new double[] {1200, 3, 20})[0];
        assertEquals(expected, price, Math.abs(expected) * 1e-4, scored.body());

        Http.Answer undeployed = MESH.http().post(MESH.managerUri("/undeploy/house_prices-2"), "");
        assertEquals(200, undeployed.status(), undeployed.toString());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " still runs");
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
