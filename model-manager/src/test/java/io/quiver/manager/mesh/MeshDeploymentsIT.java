package io.quiver.manager.mesh;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.quiver.examples.ExampleModels;
import io.quiver.examples.ReferenceModels;
import io.quiver.grpc.inference.InferTensorContents;
import io.quiver.grpc.inference.ModelInferRequest;
import io.quiver.grpc.inference.ModelInferRequest.InferInputTensor;
import io.quiver.grpc.inference.ModelInferResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reference document 000's deployment API with real processes: the manager deploys versions of the
 * example house_price model from a local repository as model-servers of their own, on ports of a
 * three-port range whose first port another program holds, and the test scores each version through
 * {@code /{model}-{version}/invocations}, directly and through the gateway, kills one's process, kills
 * the manager, undeploys, and stops the manager. The tests run in order, each on the deployments the
 * one before left.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshDeploymentsIT {
    private static final Duration DEPLOY = Duration.ofSeconds(90);
    /**
     * Below Linux's ephemeral ports (32768 up), where the test's own connections and the mesh's
     * freePort() would take them from under the range: five ports, the squatter's and two for each
     * of two deployments (HTTP and gRPC).
     */
    private static final int PORT_BASE = 20_000 + 5 * ThreadLocalRandom.current().nextInt(2_400);
    private static final Path REPOSITORY = repository();
    private static final Path JVM_OPTIONS = Path.of("..", "deploy", "jvm.options").toAbsolutePath().normalize();
    /** Every deployment process seen, killed after the class whatever happened, so a failed test strands none. */
    private static final Set<Long> SEEN = ConcurrentHashMap.newKeySet();
    /** Another program on the range's first port: deployments must skip it. */
    private static ServerSocket squatter;

    private static final String CONFIG = "config." + Gateway.DOMAIN;
    private static final String MODELS = "models." + Gateway.DOMAIN;
    private static final String CONTROL_TOKEN = "deployments-it-control-token";
    private static final String DATA_TOKEN = "deployments-it-data-token";

    /** Tokens required, as in production: deploying takes a control token, scoring a data token. */
    @RegisterExtension
    @Order(1)
    static final Mesh MESH = Mesh.withReplicas(0).withApiTokens(CONTROL_TOKEN, DATA_TOKEN)
            .managerSetting("QUIVER_REPOSITORY", REPOSITORY.toString())
            .managerSetting("QUIVER_MANAGER_DEPLOYMENTS_SERVER_JAR", System.getProperty("quiver.mesh.server-jar", ""))
            .managerSetting("QUIVER_MANAGER_DEPLOYMENTS_JVM_OPTIONS", "@" + JVM_OPTIONS)
            .managerSetting("QUIVER_MANAGER_DEPLOYMENTS_PORT_MIN", Integer.toString(PORT_BASE))
            .managerSetting("QUIVER_MANAGER_DEPLOYMENTS_PORT_MAX", Integer.toString(PORT_BASE + 4))
            .managerSetting("QUIVER_MANAGER_DEPLOYMENTS_RESTART_BACKOFF", "0.2s");

    @RegisterExtension
    @Order(2)
    static final Gateway GATEWAY = Gateway.inFrontOf(MESH).setting("MANAGER_CONTROL_TOKEN", CONTROL_TOKEN)
            .setting("MANAGER_DATA_TOKEN", DATA_TOKEN);

    private static Path repository() {
        try {
            Path root = Path.of(System.getProperty("quiver.mesh.work-dir", "target/mesh")).toAbsolutePath();
            Files.createDirectories(root);
            Path repository = Files.createTempDirectory(root, "deployments-repository-");
            ExampleModels.writeRepository(repository);
            // A version the model-server cannot load: not an ONNX model at all.
            Files.createDirectories(repository.resolve("broken/1"));
            Files.writeString(repository.resolve("broken/1/model.onnx"), "not a model");
            return repository;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void leaveNoProcess() throws IOException {
        SEEN.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        if (squatter != null) {
            squatter.close();
        }
    }

    @Test
    @Order(1)
    void listsTheModelsAndVersionsOfTheRepository() {
        JsonNode models = MESH.http().getJson(MESH.managerUri("/get_model_list"));
        assertEquals(List.of("broken", "fraud_classifier", "house_price", "lstm_forecaster", "multi_input"),
                texts(models.path("models")), models.toString());
        JsonNode versions = MESH.http().getJson(MESH.managerUri("/get_model_version_list/house_price"));
        assertEquals("house_price", versions.path("model_name").asText());
        assertEquals(List.of("1", "2"), texts(versions.path("versions")));
    }

    @Test
    @Order(2)
    void aVersionThatFailsToLoadIsReportedFailedWithTheReasonAndFreesItsPort() throws IOException {
        squatter = new ServerSocket(PORT_BASE, 1, InetAddress.getLoopbackAddress());
        Http.Answer answer = MESH.http().post(MESH.managerUri("/deploy/broken/1"), "");
        assertEquals(422, answer.status(), answer.toString());
        assertTrue(answer.json().path("error").asText().contains("broken-1 failed: the model-server could not load it"),
                answer.body());
        JsonNode broken = deployment("broken-1").orElseThrow();
        assertEquals("failed", broken.path("state").asText());
        assertFalse(broken.has("port"), "a failed deployment holds no port: " + broken);
        assertTrue(broken.path("reason").asText().contains("broken/1"), broken.toString());
    }

    @Test
    @Order(3)
    void twoVersionsDeployedOnFreePortsAnswerEachWithItsOwnModel() throws IOException, InterruptedException {
        long start = System.nanoTime();
        Http.Answer first = deploy("house_price", "1");
        double deployMillis = (System.nanoTime() - start) / 1e6;
        Http.Answer second = deploy("house_price", "2");
        System.out.printf("[mesh] %s: deploy_ms=%.0f%n", getClass().getSimpleName(), deployMillis);
        assertEquals(201, first.status(), first.toString());
        assertEquals(201, second.status(), second.toString());
        // The first port is another program's, the next were freed by the failed deployment; each
        // deployment's gRPC takes the port after its HTTP port.
        assertEquals(PORT_BASE + 1, first.json().path("port").asInt(), first.body());
        assertEquals(PORT_BASE + 3, second.json().path("port").asInt(), second.body());
        assertEquals("running", first.json().path("state").asText());
        assertEquals("http://127.0.0.1:" + (PORT_BASE + 1), first.json().path("url").asText());
        assertEquals("/house_price-1/", first.json().path("route").asText());
        List<String> arguments = Arrays.asList(ProcessHandle.of(first.json().path("pid").asLong()).orElseThrow()
                .info().arguments().orElseThrow());
        assertTrue(arguments.contains("@" + JVM_OPTIONS), "runs with ./quiver start's JVM settings: " + arguments);

        assertScores("house_price-1", 1);
        assertScores("house_price-2", 2);
        assertEquals("http://127.0.0.1:" + (PORT_BASE + 2), MESH.services().get("house_price-1").path("grpc_url").asText(),
                "registered with its gRPC port");
        assertGrpcScores();
        JsonNode described = MESH.http().getJson(MESH.managerUri("/house_price-2/"));
        assertEquals("house_price", described.path("name").asText(), described.toString());

        Http.Answer again = deploy("house_price", "1");
        assertEquals(200, again.status(), "deploying a running version again returns it: " + again);
        assertEquals(first.json().path("pid"), again.json().path("pid"), "no second process");
        List<CompletableFuture<Http.Answer>> racing = List.of(
                CompletableFuture.supplyAsync(() -> deployUnchecked("house_price", "2")),
                CompletableFuture.supplyAsync(() -> deployUnchecked("house_price", "2")));
        for (CompletableFuture<Http.Answer> answer : racing) {
            assertEquals(200, answer.join().status(), answer.join().toString());
            assertEquals(second.json().path("pid"), answer.join().json().path("pid"), "no second process");
        }

        Http.Answer full = MESH.http().post(MESH.managerUri("/deploy/fraud_classifier/1"), "");
        assertEquals(503, full.status(), full.toString());
        assertEquals("No free ports available", full.json().path("error").asText());
    }

    @Test
    @Order(4)
    void throughTheGatewayTheModelsHostScoresAndTheConfigHostDeploys() throws IOException {
        Response scored = authenticated(MODELS).body(invocation(new double[] {1200, 3, 20})).post("/house_price-2/invocations");
        assertEquals(200, scored.statusCode(), scored.asString());
        double expected = ReferenceModels.housePrice(2, new double[] {1200, 3, 20})[0];
        assertEquals(expected, price(json(scored)), Math.abs(expected) * 1e-4, scored.asString());
        Response listed = authenticated(CONFIG).get("/get_deployed_models");
        assertEquals(200, listed.statusCode(), listed.asString());
        assertEquals(3, json(listed).path("deployments").size(), listed.asString());
        Response again = authenticated(CONFIG).post("/deploy/house_price/2");
        assertEquals(200, again.statusCode(), again.asString());

        Response deployOnModels = authenticated(MODELS).post("/deploy/house_price/2");
        assertEquals(404, deployOnModels.statusCode(), "deploying is a control call: " + deployOnModels.asString());
        Http.Answer withDataToken = new Http().post(MESH.managerUri("/deploy/house_price/2"), "", "Authorization",
                "Bearer " + DATA_TOKEN);
        assertEquals(403, withDataToken.status(), withDataToken.toString());
        Http.Answer scoredWithDataToken = new Http().post(MESH.managerUri("/house_price-2/invocations"),
                invocation(new double[] {1, 2, 3}), "Authorization", "Bearer " + DATA_TOKEN);
        assertEquals(200, scoredWithDataToken.status(), "scoring is a data call: " + scoredWithDataToken);
    }

    @Test
    @Order(5)
    void aKilledDeploymentIsRestartedOnItsPort() throws Exception {
        long pid = deployment("house_price-1").orElseThrow().path("pid").asLong();
        long start = System.nanoTime();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL
        JsonNode restarted = Mesh.await("house_price-1 restarted", DEPLOY, () -> deployment("house_price-1")
                .filter(d -> d.path("state").asText().equals("running") && d.has("pid") && d.path("pid").asLong() != pid));
        System.out.printf("[mesh] %s: restart_after_kill_ms=%.0f%n", getClass().getSimpleName(),
                (System.nanoTime() - start) / 1e6);
        SEEN.add(restarted.path("pid").asLong());
        assertEquals(1, restarted.path("restarts").asInt(), restarted.toString());
        assertEquals(PORT_BASE + 1, restarted.path("port").asInt());
        assertScores("house_price-1", 1);
    }

    @Test
    @Order(6)
    void aManagerKilledAndStartedAgainAdoptsTheRunningDeployments() throws Exception {
        List<Long> before = List.of(deployment("house_price-1").orElseThrow().path("pid").asLong(),
                deployment("house_price-2").orElseThrow().path("pid").asLong());
        long start = System.nanoTime();
        MESH.crashAndRestartManagerAlone();
        System.out.printf("[mesh] %s: manager_restart_with_adoption_ms=%.0f%n", getClass().getSimpleName(),
                (System.nanoTime() - start) / 1e6);
        for (String name : List.of("house_price-1", "house_price-2")) {
            JsonNode adopted = deployment(name).orElseThrow(() -> new AssertionError(name + " was not adopted"));
            assertEquals("running", adopted.path("state").asText(), adopted.toString());
        }
        assertEquals(before, List.of(deployment("house_price-1").orElseThrow().path("pid").asLong(),
                deployment("house_price-2").orElseThrow().path("pid").asLong()), "the same processes, adopted");
        assertScores("house_price-1", 1);
        assertScores("house_price-2", 2);

        // An adopted process is not the new manager's child, and is watched all the same.
        ProcessHandle.of(before.get(1)).orElseThrow().destroyForcibly();
        JsonNode restarted = Mesh.await("adopted house_price-2 restarted", DEPLOY, () -> deployment("house_price-2")
                .filter(d -> d.path("state").asText().equals("running") && d.has("pid")
                        && d.path("pid").asLong() != before.get(1)));
        assertEquals(1, restarted.path("restarts").asInt(), restarted.toString());
        assertScores("house_price-2", 2);
    }

    @Test
    @Order(7)
    void badRequestsAreRefusedNamingTheProblem() throws IOException {
        assertError(MESH.http().post(MESH.managerUri("/deploy/no_such_model/1"), ""), 404, "no_such_model");
        assertError(MESH.http().post(MESH.managerUri("/deploy/house_price/7"), ""), 404, "no version '7'");
        assertError(MESH.http().get(MESH.managerUri("/get_model_version_list/no_such_model")), 404, "no_such_model");
        assertError(MESH.http().post(MESH.managerUri("/undeploy/house_price"), ""), 400, "<model_name>-<version>");
        assertError(MESH.http().post(MESH.managerUri("/undeploy/house_price-9"), ""), 404, "house_price-9");
        assertError(MESH.http().post(MESH.managerUri("/no_such-1/invocations"), "{}"), 404, "no_such-1");
        assertError(MESH.http().post(MESH.managerUri("/deploy/.hidden/1"), ""), 400, "'.hidden' is not a valid name");
    }

    @Test
    @Order(8)
    void undeployingBothLeavesNoProcess() throws IOException {
        List<Long> pids = new ArrayList<>();
        for (String name : List.of("house_price-1", "house_price-2")) {
            pids.add(deployment(name).orElseThrow().path("pid").asLong());
            Http.Answer answer = MESH.http().post(MESH.managerUri("/undeploy/" + name), "");
            assertEquals(200, answer.status(), answer.toString());
            assertEquals("undeployed", answer.json().path("state").asText());
        }
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " still runs");
        }
        assertError(MESH.http().post(MESH.managerUri("/house_price-1/invocations"), invocation(new double[] {1, 2, 3})),
                404, "no deployment 'house_price-1'");
        assertFalse(MESH.services().containsKey("house_price-1"), "the registration is gone too");
    }

    @Test
    @Order(9)
    void aDeploymentWhoseRestartsKeepFailingIsReportedFailedAndFreesItsPort() throws IOException {
        Http.Answer deployed = deploy("fraud_classifier", "1");
        assertEquals(201, deployed.status(), deployed.toString());
        // Gone from the repository, the version cannot be loaded again: every restart fails.
        try (var files = Files.walk(REPOSITORY.resolve("fraud_classifier"))) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        ProcessHandle.of(deployed.json().path("pid").asLong()).orElseThrow().destroyForcibly();
        JsonNode failed = Mesh.await("fraud_classifier-1 failed", DEPLOY, () -> deployment("fraud_classifier-1")
                .filter(d -> d.path("state").asText().equals("failed")));
        assertEquals(3, failed.path("restarts").asInt(), "restarted up to the limit: " + failed);
        assertTrue(failed.path("reason").asText().contains("more than the restart limit of 3"), failed.toString());
        assertFalse(failed.has("port"), "its port is free: " + failed);
        assertError(MESH.http().post(MESH.managerUri("/fraud_classifier-1/invocations"), "{}"), 404, "failed");
    }

    @Test
    @Order(10)
    void aManagerStoppedTakesItsDeploymentsWithIt() throws IOException {
        Http.Answer deployed = deploy("house_price", "1");
        assertEquals(201, deployed.status(), deployed.toString());
        long pid = deployed.json().path("pid").asLong();
        MESH.manager().stop();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                "the deployment outlived the manager's shutdown: pid " + pid);
    }

    private static Http.Answer deploy(String model, String version) throws IOException {
        Http.Answer answer = MESH.http().post(MESH.managerUri("/deploy/" + model + "/" + version), "");
        if (answer.json().has("pid")) {
            SEEN.add(answer.json().path("pid").asLong());
        }
        return answer;
    }

    private static Http.Answer deployUnchecked(String model, String version) {
        try {
            return deploy(model, version);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<JsonNode> deployment(String name) {
        for (JsonNode deployment : MESH.http().getJson(MESH.managerUri("/get_deployed_models")).path("deployments")) {
            if (deployment.path("name").asText().equals(name)) {
                if (deployment.has("pid")) {
                    SEEN.add(deployment.path("pid").asLong());
                }
                return Optional.of(deployment);
            }
        }
        return Optional.empty();
    }

    private static String invocation(double[] row) {
        return "{\"inputs\": [[" + row[0] + ", " + row[1] + ", " + row[2] + "]]}";
    }

    private static void assertScores(String name, int version) throws IOException {
        double[] row = {1200, 3, 20};
        Http.Answer answer = MESH.http().post(MESH.managerUri("/" + name + "/invocations"), invocation(row));
        assertEquals(200, answer.status(), answer.toString());
        double got = price(answer.json());
        double expected = ReferenceModels.housePrice(version, row)[0];
        assertEquals(expected, got, Math.abs(expected) * 1e-4, name + " answered " + answer.body());
        assertEquals(name, answer.servedBy(), "served by the deployment's own replica");
    }

    /**
     * A gRPC ModelInfer through the manager, which routes it by model name to one of the two
     * deployments, at the gRPC port that deployment was given: the deployment that served it (the
     * version it answers with) gives its price.
     */
    private static void assertGrpcScores() throws InterruptedException {
        float[] row = {1200, 3, 20};
        AtomicReference<Metadata> headers = new AtomicReference<>();
        try (GrpcCalls manager = new GrpcCalls(MESH.manager().uri())) {
            ModelInferResponse answer = manager.capturing(headers).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(
                    token())).modelInfer(ModelInferRequest.newBuilder().setModelName("house_price")
                    .addInputs(InferInputTensor.newBuilder().setName("features").setDatatype("FP32").addShape(1).addShape(3)
                            .setContents(InferTensorContents.newBuilder()
                                    .addFp32Contents(row[0]).addFp32Contents(row[1]).addFp32Contents(row[2])))
                    .build());
            int version = Integer.parseInt(answer.getModelVersion());
            double expected = ReferenceModels.housePrice(version, new double[] {row[0], row[1], row[2]})[0];
            assertEquals(expected, answer.getOutputs(0).getContents().getFp32Contents(0), Math.abs(expected) * 1e-4);
            assertEquals("house_price-" + version, headers.get().get(GrpcCalls.SERVED_BY));
        }
    }

    private static Metadata token() {
        Metadata metadata = new Metadata();
        metadata.put(GrpcCalls.AUTHORIZATION, "Bearer " + DATA_TOKEN);
        return metadata;
    }

    /** The first row's price from MLflow's {@code {"predictions": [...]}}, a value or a one-value row. */
    private static double price(JsonNode answer) {
        JsonNode prediction = answer.path("predictions").path(0);
        return prediction.isArray() ? prediction.path(0).asDouble() : prediction.asDouble();
    }

    private static void assertError(Http.Answer answer, int status, String naming) {
        assertEquals(status, answer.status(), answer.toString());
        assertTrue(answer.json().path("error").asText().contains(naming), "the error names " + naming + ": " + answer);
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }
    private static RequestSpecification authenticated(String host) {
        return given().baseUri(GATEWAY.uri("").toString()).header("Host", host).contentType("application/json")
                .redirects().follow(false).auth().preemptive().basic(Gateway.USER, GATEWAY.password());
    }

    private static JsonNode json(Response response) {
        try {
            return Http.JSON.readTree(response.asString());
        } catch (JsonProcessingException e) {
            throw new AssertionError("HTTP " + response.statusCode() + " body is not JSON: " + response.asString(), e);
        }
    }
}
