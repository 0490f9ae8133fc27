package io.quiver.manager.deployments;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.quiver.common.error.BadGatewayException;
import io.quiver.manager.registry.ServiceRegistry;
import io.quiver.manager.testing.TempDataDir;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes backend through the deployment API: a version becomes a Deployment and a Service
 * made with the model-server's image, settings, probes and labels; it runs once Kubernetes reports
 * a ready replica and fails with Kubernetes' reason when its rollout or its pod does; undeploying
 * deletes both; a restarted manager finds them in the cluster. No Kubernetes cluster runs here, so
 * the API is fabric8's mock server in CRUD mode, which keeps the objects it is given and serves
 * gets, lists and watches of them as an API server does. No controller or kubelet runs behind it,
 * so the test writes what they would: a Deployment's status, a pod's. Where the API refuses, a
 * server started here on loopback answers as an API server without the rights does.
 */
@QuarkusTest
@WithTestResource(TempDataDir.class)
@WithKubernetesTestServer
@TestProfile(KubernetesDeploymentsTest.OnKubernetes.class)
class KubernetesDeploymentsTest {
    static final String NAMESPACE = "model-serving";
    static final Duration SOON = Duration.ofSeconds(10);

    public static class OnKubernetes implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quiver.manager.deployments.backend", "kubernetes",
                    "quiver.manager.deployments.kubernetes.namespace", NAMESPACE,
                    "quiver.manager.deployments.repository", REPOSITORY.toString(),
                    "quiver.manager.deployments.ready-timeout", "60s");
        }
    }

    /** A model repository for the manager to list and check versions in: the pods load from their own. */
    static final Path REPOSITORY = repository();

    private static Path repository() {
        try {
            Path root = Files.createTempDirectory("quiver-k8s-deployments-test-");
            for (String version : List.of("house_price/1", "house_price/2", "house_price/3", "house_price/4", "fraud.detector/7")) {
                Files.createDirectories(root.resolve(version));
            }
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @KubernetesTestServer
    KubernetesServer kubernetes;

    @Inject
    ServiceRegistry registry;

    @Inject
    DeploymentsConfig config;

    @Test
    void aVersionRunsAsADeploymentAndAServiceOnceKubernetesReportsItReady() {
        CompletableFuture<Response> deploying = post("/deploy/house_price/1");
        Deployment deployment = awaitDeployment("house_price", "1");
        String name = deployment.getMetadata().getName();
        assertTrue(name.matches("[a-z]([-a-z0-9]{0,61}[a-z0-9])?"), name + " is a valid Service name");
        Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertEquals("quiver-model-server", labels.get("app.kubernetes.io/name"), "the label discovery selects by");
        assertEquals("quiver-model-manager", labels.get("app.kubernetes.io/managed-by"));
        assertEquals("house_price", labels.get("quiver.io/model"));
        assertEquals("1", labels.get("quiver.io/version"));
        assertEquals("house_price", deployment.getMetadata().getAnnotations().get("quiver.io/model"));
        assertEquals(1, deployment.getSpec().getReplicas());

        Container server = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("docker.io/quiver/model-server:"
                + ConfigProvider.getConfig().getValue("quarkus.application.version", String.class), server.getImage(),
                "by default the image deploy/k8s runs the model-servers from, of the manager's own version");
        Map<String, String> env = server.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
        assertEquals("house_price/1", env.get("QUIVER_STARTUP_MODELS"), "it loads exactly that version");
        assertEquals("/models", env.get("QUIVER_REPOSITORY"));
        assertEquals("0s", env.get("QUIVER_REPOSITORY_POLL_INTERVAL"), "and no version that appears later");
        assertEquals("http", server.getPorts().get(0).getName(), "the port name discovery looks for");
        assertEquals(8080, server.getPorts().get(0).getContainerPort());
        assertEquals("grpc", server.getPorts().get(1).getName(), "the model-server's own gRPC port");
        assertEquals(8081, server.getPorts().get(1).getContainerPort());
        assertEquals("/v2/health/ready", server.getReadinessProbe().getHttpGet().getPath());
        assertEquals("/v2/health/live", server.getLivenessProbe().getHttpGet().getPath());
        assertEquals("768Mi", server.getResources().getLimits().get("memory").toString());

        Service service = await("a Service of the same name").atMost(SOON)
                .until(() -> kubernetes.getClient().services().inNamespace(NAMESPACE).withName(name).get(), s -> s != null);
        assertEquals("ClusterIP", service.getSpec().getType());
        assertEquals(80, service.getSpec().getPorts().get(0).getPort());
        assertEquals("grpc", service.getSpec().getPorts().get(1).getName());
        assertEquals(8081, service.getSpec().getPorts().get(1).getPort());
        assertTrue(labels.entrySet().containsAll(service.getSpec().getSelector().entrySet()),
                "the Service selects the deployment's pod");
        given().get("/get_deployed_models").then().statusCode(200)
                .body("deployments.find { it.name == 'house_price-1' }.state", is("starting"));

        setStatus(name, d -> new DeploymentBuilder(d).withNewStatus().withReplicas(1).withReadyReplicas(1).endStatus().build());
        String url = "http://" + name + "." + NAMESPACE + ".svc:80";
        answer(deploying).then().statusCode(201).body("state", is("running")).body("url", is(url))
                .body("route", is("/house_price-1/"));
        assertEquals(url, registry.require("house_price-1").record().serviceUrl(), "registered at the Service's name");
        assertEquals("http://" + name + "." + NAMESPACE + ".svc:8081", registry.require("house_price-1").record().grpcUrl(),
                "gRPC at the Service's gRPC port");

        given().post("/deploy/house_price/1").then().statusCode(200).body("url", is(url));
        assertEquals(1, deployments("house_price", "1").size(), "deploying it again made nothing new");

        given().post("/undeploy/house_price-1").then().statusCode(200);
        assertNull(kubernetes.getClient().apps().deployments().inNamespace(NAMESPACE).withName(name).get());
        assertNull(kubernetes.getClient().services().inNamespace(NAMESPACE).withName(name).get());
        assertTrue(registry.all().stream().noneMatch(r -> r.id().equals("house_price-1")));
        given().get("/get_deployed_models").then().body("deployments.findAll { it.name == 'house_price-1' }.size()", is(0));
    }

    @Test
    void aRolloutPastItsDeadlineFailsWithKubernetesReason() {
        CompletableFuture<Response> deploying = post("/deploy/house_price/2");
        String name = awaitDeployment("house_price", "2").getMetadata().getName();
        setStatus(name, d -> new DeploymentBuilder(d).withNewStatus().withReplicas(1).withReadyReplicas(0)
                .addNewCondition().withType("Progressing").withStatus("False").withReason("ProgressDeadlineExceeded")
                .withMessage("ReplicaSet \"" + name + "-5d8f\" has timed out progressing.").endCondition()
                .endStatus().build());

        answer(deploying).then().statusCode(422).body("error", containsString("ProgressDeadlineExceeded"))
                .body("error", containsString("has timed out progressing"));
        given().get("/get_deployed_models").then()
                .body("deployments.find { it.name == 'house_price-2' }.state", is("failed"))
                .body("deployments.find { it.name == 'house_price-2' }.reason", containsString("ProgressDeadlineExceeded"));
        assertTrue(deployments("house_price", "2").isEmpty(), "a failed deployment leaves nothing running");
        given().post("/undeploy/house_price-2").then().statusCode(200);
    }

    @Test
    void aPodInACrashLoopFailsTheDeploymentWithItsExitCode() {
        CompletableFuture<Response> deploying = post("/deploy/house_price/3");
        Deployment deployment = awaitDeployment("house_price", "3");
        // What the kubelet reports of a model-server that exits at start, over and over.
        kubernetes.getClient().pods().inNamespace(NAMESPACE).resource(new PodBuilder()
                .withNewMetadata().withName(deployment.getMetadata().getName() + "-5d8f-x2x7q")
                .withLabels(deployment.getSpec().getTemplate().getMetadata().getLabels()).endMetadata()
                .withNewStatus().withPhase("Running").addNewContainerStatus().withName("quiver-model-server")
                .withRestartCount(4).withNewState().withNewWaiting().withReason("CrashLoopBackOff")
                .withMessage("back-off 1m20s restarting failed container").endWaiting().endState()
                .withNewLastState().withNewTerminated().withExitCode(1).withReason("Error").endTerminated()
                .endLastState().endContainerStatus().endStatus().build()).create();

        answer(deploying).then().statusCode(422).body("error", containsString("CrashLoopBackOff"))
                .body("error", containsString("exited with code 1"));
        assertTrue(deployments("house_price", "3").isEmpty());
        given().post("/undeploy/house_price-3").then().statusCode(200);
    }

    @Test
    void aDeploymentDeletedBehindTheManagersBackIsMadeAgain() {
        CompletableFuture<Response> deploying = post("/deploy/house_price/4");
        Deployment first = awaitDeployment("house_price", "4");
        String name = first.getMetadata().getName();
        setStatus(name, d -> new DeploymentBuilder(d).withNewStatus().withReplicas(1).withReadyReplicas(1).endStatus().build());
        answer(deploying).then().statusCode(201).body("state", is("running"));

        kubernetes.getClient().apps().deployments().inNamespace(NAMESPACE).withName(name).delete();
        // A cluster's garbage collector would remove the Service it owned, later; the mock server has none.
        Deployment second = await("a new Deployment after the restart pause").atMost(SOON)
                .until(() -> deployments("house_price", "4"), list -> list.size() == 1
                        && !list.get(0).getMetadata().getUid().equals(first.getMetadata().getUid())).get(0);
        given().get("/get_deployed_models").then()
                .body("deployments.find { it.name == 'house_price-4' }.state", is("restarting"));
        Service service = await("a Service owned by the new Deployment").atMost(SOON)
                .until(() -> kubernetes.getClient().services().inNamespace(NAMESPACE).withName(name).get(),
                        s -> s != null && s.getMetadata().getOwnerReferences().get(0).getUid()
                                .equals(second.getMetadata().getUid()));
        assertEquals("Deployment", service.getMetadata().getOwnerReferences().get(0).getKind());
        setStatus(second.getMetadata().getName(),
                d -> new DeploymentBuilder(d).withNewStatus().withReplicas(1).withReadyReplicas(1).endStatus().build());
        await("it to run again").atMost(SOON).untilAsserted(() -> given().get("/get_deployed_models").then()
                .body("deployments.find { it.name == 'house_price-4' }.state", is("running"))
                .body("deployments.find { it.name == 'house_price-4' }.restarts", is(1)));
        given().post("/undeploy/house_price-4").then().statusCode(200);
    }

    @Test
    void aRestartedManagerFindsItsDeploymentsInTheCluster() {
        CompletableFuture<Response> deploying = post("/deploy/fraud.detector/7");
        String name = awaitDeployment("fraud.detector", "7").getMetadata().getName();
        setStatus(name, d -> new DeploymentBuilder(d).withNewStatus().withReplicas(1).withReadyReplicas(1).endStatus().build());
        answer(deploying).then().statusCode(201);
        // Another application's Deployment in the same namespace is not one of the manager's.
        kubernetes.getClient().apps().deployments().inNamespace(NAMESPACE).resource(new DeploymentBuilder()
                .withNewMetadata().withName("postgres").withLabels(Map.of("app", "postgres")).endMetadata()
                .withNewSpec().endSpec().build()).create();

        KubernetesBackend restarted = new KubernetesBackend(config, kubernetes.getClient(),
                "app.kubernetes.io/name=quiver-model-server");
        List<StoredDeployment> found = restarted.recorded();
        assertEquals(List.of(new StoredDeployment("fraud.detector", "7", 80, 0, 8081)), found);
        DeploymentBackend.Instance adopted = restarted.adopt(found.get(0)).orElseThrow();
        assertEquals("http://" + name + "." + NAMESPACE + ".svc:80", adopted.url());
        await("the adopted deployment to report ready").atMost(SOON)
                .until(() -> adopted.reported().orElseThrow().ready());
        restarted.managerStopping(List.of(adopted));
        assertNotNull(kubernetes.getClient().apps().deployments().inNamespace(NAMESPACE).withName(name).get(),
                "a stopping manager leaves its deployments serving");

        given().post("/undeploy/fraud.detector-7").then().statusCode(200);
        kubernetes.getClient().apps().deployments().inNamespace(NAMESPACE).withName("postgres").delete();
    }

    @Test
    void aDeployTheApiRefusesAnswersBadGatewayNamingTheKubernetesApi() {
        // An expectation answers before the CRUD store does: the API server of a Role without create.
        String name = KubernetesObjects.objectName(new DeploymentName("house_price", "1"));
        kubernetes.expect().post().withPath("/apis/apps/v1/namespaces/" + NAMESPACE + "/deployments")
                .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden").withMessage("deployments.apps is "
                        + "forbidden: User \"system:serviceaccount:model-serving:quiver-model-manager\" cannot create "
                        + "resource \"deployments\" in API group \"apps\" in the namespace \"model-serving\"").build())
                .once();
        given().post("/deploy/house_price/1").then().statusCode(502)
                .body("error", containsString("the Kubernetes API answered 403"))
                .body("error", containsString("create Deployment " + name))
                .body("error", containsString("cannot create resource"));
        given().get("/get_deployed_models").then()
                .body("deployments.findAll { it.name == 'house_price-1' }.size()", is(0));
    }

    @Test
    void anApiThatRefusesIsABadGatewayNamingItWithoutTheCredential() throws IOException {
        HttpServer refusing = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        refusing.createContext("/", exchange -> {
            byte[] body = ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Forbidden\","
                    + "\"code\":403,\"message\":\"deployments.apps is forbidden: User \\\"system:serviceaccount:"
                    + NAMESPACE + ":quiver-model-manager\\\" cannot get resource \\\"deployments\\\"\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(403, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        refusing.start();
        String token = "eyJhbGciOiJSUzI1NiJ9.not-for-any-answer";
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:" + refusing.getAddress().getPort()).withOauthToken(token)
                .withRequestRetryBackoffLimit(0).build()).build()) {
            KubernetesBackend backend = new KubernetesBackend(config, client, "app.kubernetes.io/name=quiver-model-server");
            DeploymentName name = new DeploymentName("house_price", "1");
            BadGatewayException refused = assertThrows(BadGatewayException.class,
                    () -> backend.start(name, new ModelRegistrySource.ModelLocation(REPOSITORY, "house_price", "1"), 80));
            assertEquals(502, refused.status());
            assertTrue(refused.getMessage().startsWith("the Kubernetes API answered 403"), refused.getMessage());
            assertTrue(refused.getMessage().contains("cannot get resource"), "the API server's own reason");
            assertTrue(refused.getMessage().contains("service-accounts.yaml"), "where the rights are granted");
            assertFalse(refused.getMessage().contains(token), "no credential in the answer");
            BadGatewayException listing = assertThrows(BadGatewayException.class, backend::recorded);
            assertTrue(listing.getMessage().contains("list Deployments"), listing.getMessage());
        } finally {
            refusing.stop(0);
        }
        HttpServer gone = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        int closedPort = gone.getAddress().getPort();
        gone.stop(0);
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                // fabric8 retries a refused connection until the request times out: a short one here.
                .withMasterUrl("http://127.0.0.1:" + closedPort).withRequestRetryBackoffLimit(0).withRequestTimeout(1_000)
                .build()).build()) {
            BadGatewayException unreachable = assertThrows(BadGatewayException.class,
                    () -> new KubernetesBackend(config, client, "").recorded());
            assertTrue(unreachable.getMessage().startsWith("the Kubernetes API could not be reached"),
                    unreachable.getMessage());
        }
    }

    private static CompletableFuture<Response> post(String path) {
        // The call answers once the deployment is ready or failed, which the test decides meanwhile.
        return CompletableFuture.supplyAsync(() -> given().post(path).then().extract().response());
    }

    private static Response answer(CompletableFuture<Response> call) {
        return call.orTimeout(SOON.toSeconds(), TimeUnit.SECONDS).join();
    }

    private Deployment awaitDeployment(String model, String version) {
        return await("the Deployment of " + model + " " + version).atMost(SOON)
                .until(() -> deployments(model, version), list -> list.size() == 1).get(0);
    }

    private List<Deployment> deployments(String model, String version) {
        return kubernetes.getClient().apps().deployments().inNamespace(NAMESPACE)
                .withLabels(Map.of("quiver.io/model", model, "quiver.io/version", version)).list().getItems();
    }

    /** What the Deployment controller would write. */
    private void setStatus(String name, UnaryOperator<Deployment> status) {
        kubernetes.getClient().apps().deployments().inNamespace(NAMESPACE).withName(name).editStatus(status);
    }
}
