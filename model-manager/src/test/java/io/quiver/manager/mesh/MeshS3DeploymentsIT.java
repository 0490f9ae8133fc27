package io.quiver.manager.mesh;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.examples.ExampleModels;
import io.quiver.examples.ReferenceModels;
import io.quiver.examples.S3rverProcess;
import io.restassured.response.Response;
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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Deployments from an S3 bucket, end to end with real processes: a real S3-protocol server
 * (s3rver, {@link S3rverProcess}) holds two versions of house_price as
 * {@code s3://bucket/prefix/<model>/<version>/model.onnx}; a packaged manager with
 * {@code QUIVER_REGISTRY_URI=s3://bucket/prefix} and its S3 endpoint and key pair in its own settings
 * lists them and deploys each as a packaged model-server of its own, which fetches its version from
 * the bucket with what the manager hands it. Each is scored directly and through the gateway,
 * both are undeployed, and a store that has stopped is named in a 502. The tests run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshS3DeploymentsIT {
    private static final String BUCKET = "quiver-registry";
    private static final String REGISTRY = "s3://" + BUCKET + "/deployments";
    private static final String CONTROL_TOKEN = "s3-it-control-token";
    private static final String DATA_TOKEN = "s3-it-data-token";
    /** Two deployments at once, each holding an HTTP and a gRPC port, and one port to spare. */
    private static final int PORT_BASE = 20_000 + 5 * ThreadLocalRandom.current().nextInt(2_400);
    private static final Path JVM_OPTIONS = Path.of("..", "deploy", "jvm.options").toAbsolutePath().normalize();
    private static final Set<Long> SEEN = ConcurrentHashMap.newKeySet();
    private static final S3rverProcess S3 = bucketWithTwoVersions();

    /** Only the manager's own settings name the store: no AWS variable is set for either process. */
    @RegisterExtension
    @Order(1)
    static final Mesh MESH = Mesh.withReplicas(0).withApiTokens(CONTROL_TOKEN, DATA_TOKEN)
            .managerSetting("QUIVER_REGISTRY_URI", REGISTRY)
            .managerSetting("QUIVER_MANAGER_DEPLOYMENTS_S3_ENDPOINT", S3.endpoint())
            .managerSetting("QUIVER_MANAGER_DEPLOYMENTS_S3_ACCESS_KEY_ID", S3rverProcess.ACCESS_KEY_ID)
            .managerSetting("QUIVER_MANAGER_DEPLOYMENTS_S3_SECRET_ACCESS_KEY", S3rverProcess.SECRET_ACCESS_KEY)
            .managerSetting("QUIVER_MANAGER_DEPLOYMENTS_S3_TIMEOUT", "5s")
            .managerSetting("QUIVER_MANAGER_DEPLOYMENTS_SERVER_JAR", System.getProperty("quiver.mesh.server-jar", ""))
            .managerSetting("QUIVER_MANAGER_DEPLOYMENTS_JVM_OPTIONS", "@" + JVM_OPTIONS)
            .managerSetting("QUIVER_MANAGER_DEPLOYMENTS_PORT_MIN", Integer.toString(PORT_BASE))
            .managerSetting("QUIVER_MANAGER_DEPLOYMENTS_PORT_MAX", Integer.toString(PORT_BASE + 4));

    @RegisterExtension
    @Order(2)
    static final Gateway GATEWAY = Gateway.inFrontOf(MESH).setting("MANAGER_CONTROL_TOKEN", CONTROL_TOKEN)
            .setting("MANAGER_DATA_TOKEN", DATA_TOKEN);

    /** s3rver with house_price versions 1 and 2, their model.onnx alone, below the registry's prefix. */
    private static S3rverProcess bucketWithTwoVersions() {
        S3rverProcess server = new S3rverProcess(BUCKET);
        try (S3Client client = server.client()) {
            Path root = Path.of(System.getProperty("quiver.mesh.work-dir", "target/mesh")).toAbsolutePath();
            Files.createDirectories(root);
            Path models = Files.createTempDirectory(root, "s3-models-");
            ExampleModels.writeRepository(models);
            for (String version : List.of("1", "2")) {
                client.putObject(r -> r.bucket(BUCKET).key("deployments/house_price/" + version + "/model.onnx"),
                        RequestBody.fromFile(models.resolve("house_price").resolve(version).resolve("model.onnx")));
            }
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    @AfterAll
    static void leaveNoProcess() {
        SEEN.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        S3.close();
    }

    @Test
    @Order(1)
    void listsTheModelsAndVersionsOfTheBucket() {
        JsonNode models = MESH.http().getJson(MESH.managerUri("/get_model_list"));
        assertEquals("S3 registry " + REGISTRY, models.path("registry").asText(), models.toString());
        assertEquals(List.of("house_price"), texts(models.path("models")));
        JsonNode versions = MESH.http().getJson(MESH.managerUri("/get_model_version_list/house_price"));
        assertEquals(List.of("1", "2"), texts(versions.path("versions")), versions.toString());
    }

    @Test
    @Order(2)
    void bothVersionsAreFetchedByTheirOwnServersAndAnswerWithTheirOwnModel() throws IOException {
        for (String version : List.of("1", "2")) {
            Http.Answer deployed = MESH.http().post(MESH.managerUri("/deploy/house_price/" + version), "");
            if (deployed.json().has("pid")) {
                SEEN.add(deployed.json().path("pid").asLong());
            }
            assertEquals(201, deployed.status(), deployed.toString());
            assertEquals("running", deployed.json().path("state").asText(), deployed.body());
            String commandLine = String.join(" ", ProcessHandle.of(deployed.json().path("pid").asLong()).orElseThrow()
                    .info().arguments().orElseThrow());
            assertFalse(commandLine.contains(S3rverProcess.SECRET_ACCESS_KEY),
                    "the secret key is not on the command line: " + commandLine);
        }
        assertScores("house_price-1", 1);
        assertScores("house_price-2", 2);

        double[] row = {900, 2, 35};
        Response scored = given().baseUri(GATEWAY.uri("").toString()).header("Host", "models." + Gateway.DOMAIN)
                .contentType("application/json").auth().preemptive().basic(Gateway.USER, GATEWAY.password())
                .body(invocation(row)).post("/house_price-1/invocations");
        assertEquals(200, scored.statusCode(), scored.asString());
        double expected = ReferenceModels.housePrice(1, row)[0];
        assertEquals(expected, price(Http.JSON.readTree(scored.asString())), Math.abs(expected) * 1e-4, scored.asString());
    }

    @Test
    @Order(3)
    void undeployingBothLeavesNoProcess() throws IOException {
        List<Long> pids = new ArrayList<>();
        for (JsonNode deployment : MESH.http().getJson(MESH.managerUri("/get_deployed_models")).path("deployments")) {
            pids.add(deployment.path("pid").asLong());
        }
        assertEquals(2, pids.size(), pids.toString());
        for (String name : List.of("house_price-1", "house_price-2")) {
            Http.Answer answer = MESH.http().post(MESH.managerUri("/undeploy/" + name), "");
            assertEquals(200, answer.status(), answer.toString());
            assertEquals("undeployed", answer.json().path("state").asText());
        }
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " still runs");
        }
        List<ProcessHandle> children = ProcessHandle.of(MESH.manager().pid()).orElseThrow().descendants()
                .filter(ProcessHandle::isAlive).toList();
        assertTrue(children.isEmpty(), "the manager has processes left: " + children.stream()
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList());
    }

    @Test
    @Order(4)
    void aStoppedStoreIs502NamingItAndTheManagerKeepsServing() throws IOException {
        S3.close();
        for (String path : List.of("/get_model_list", "/get_model_version_list/house_price")) {
            Http.Answer answer = MESH.http().get(MESH.managerUri(path));
            assertEquals(502, answer.status(), path + ": " + answer);
            String error = answer.json().path("error").asText();
            assertTrue(error.contains("'" + BUCKET + "'") && error.contains(S3.endpoint()), "names the store: " + error);
            assertFalse(error.contains(S3rverProcess.SECRET_ACCESS_KEY), error);
        }
        Http.Answer deployed = MESH.http().get(MESH.managerUri("/get_deployed_models"));
        assertEquals(200, deployed.status(), deployed.toString());
    }

    private static void assertScores(String name, int version) throws IOException {
        double[] row = {1200, 3, 20};
        Http.Answer answer = MESH.http().post(MESH.managerUri("/" + name + "/invocations"), invocation(row));
        assertEquals(200, answer.status(), answer.toString());
        double expected = ReferenceModels.housePrice(version, row)[0];
        assertEquals(expected, price(answer.json()), Math.abs(expected) * 1e-4, name + " answered " + answer.body());
        assertEquals(name, answer.servedBy(), "served by the deployment's own replica");
    }

    private static String invocation(double[] row) {
        return "{\"inputs\": [[" + row[0] + ", " + row[1] + ", " + row[2] + "]]}";
    }

    /** The first row's price from MLflow's {@code {"predictions": [...]}}, a value or a one-value row. */
    private static double price(JsonNode answer) {
        JsonNode prediction = answer.path("predictions").path(0);
        return prediction.isArray() ? prediction.path(0).asDouble() : prediction.asDouble();
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
