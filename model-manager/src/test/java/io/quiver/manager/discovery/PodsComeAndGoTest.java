package io.quiver.manager.discovery;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.quiver.manager.registry.Registration;
import io.quiver.manager.registry.Replica;
import io.quiver.manager.registry.ServiceRegistry;
import io.quiver.manager.testing.TempDataDir;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Discovery follows model-server pods as Kubernetes reports them: a pod is routed to once it is
 * ready, with the models its own {@code /v1/models} lists, and no longer once it is not ready or is
 * deleted, each within one discovery interval. No Kubernetes cluster runs here, so the API is
 * fabric8's mock server in CRUD mode, which keeps the pods it is given and serves lists and
 * watches of them as an API server does; the model-servers behind the pods are real HTTP servers
 * on loopback answering the model list as a model-server does.
 */
@QuarkusTest
@WithTestResource(TempDataDir.class)
@WithKubernetesTestServer
@TestProfile(PodsComeAndGoTest.DiscoveryOn.class)
class PodsComeAndGoTest {
    static final String NAMESPACE = "model-serving";
    static final Duration INTERVAL = Duration.ofSeconds(2);
    /**
     * One interval, and the time a resync takes to list the pods and read their models: on a busy
     * two-core machine (the build's other tests running) that alone took over half a second.
     */
    static final Duration WITHIN_ONE_INTERVAL = INTERVAL.plusMillis(1500);

    public static class DiscoveryOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quiver.manager.discovery.enabled", "true",
                    "quiver.manager.discovery.namespace", NAMESPACE,
                    "quiver.manager.registry.discovery-interval", INTERVAL.toSeconds() + "s");
        }
    }

    @KubernetesTestServer
    KubernetesServer kubernetes;

    @Inject
    ServiceRegistry registry;

    @Inject
    PodDiscovery discovery;

    static HttpServer iris;
    static HttpServer lstm;
    static volatile String lstmModels = model("lstm", "LSTM");
    /** A model-server still loading its models: its model list answers 503 until this is set. */
    static HttpServer loading;
    static volatile boolean loaded;

    @BeforeAll
    static void startModelServers() throws IOException {
        iris = modelServer(() -> model("iris", "classifier"));
        lstm = modelServer(() -> lstmModels);
        loading = modelServer(() -> loaded ? model("forecast", "ARIMA") : null);
    }

    @AfterAll
    static void stopModelServers() {
        iris.stop(0);
        lstm.stop(0);
        loading.stop(0);
    }

    @Test
    void aPodIsRoutedToWhileItIsReadyAndNotOnceItIsGone() {
        KubernetesClient api = kubernetes.getClient();
        api.pods().inNamespace(NAMESPACE).resource(pod("iris-7d9f", iris, false)).create();
        await("the watch to open").atMost(WITHIN_ONE_INTERVAL).until(discovery::watching);
        await("a pod that is not ready to stay unrouted for an interval").during(WITHIN_ONE_INTERVAL)
                .atMost(WITHIN_ONE_INTERVAL.multipliedBy(2)).until(() -> find("k8s:model-serving:iris-7d9f").isEmpty());

        api.pods().inNamespace(NAMESPACE).resource(pod("iris-7d9f", iris, true)).update();
        await("the ready pod to be routed to").atMost(WITHIN_ONE_INTERVAL)
                .until(() -> registry.serving("classifier").stream().anyMatch(r -> r.id().equals("k8s:model-serving:iris-7d9f")));
        Replica routed = find("k8s:model-serving:iris-7d9f").orElseThrow();
        assertEquals("http://127.0.0.1:" + iris.getAddress().getPort(), routed.record().serviceUrl());
        assertEquals("http://127.0.0.1:" + GRPC_PORT, routed.record().grpcUrl(), "gRPC at the pod's port named grpc");
        assertEquals("classifier", routed.record().modelType());
        assertTrue(routed.record().serves("iris"), "the model's name routes too");
        given().get("/services").then().statusCode(200)
                .body("services.service_id", hasItems("k8s:model-serving:iris-7d9f"));

        api.pods().inNamespace(NAMESPACE).resource(pod("iris-7d9f", iris, false)).update();
        await("a pod that is no longer ready to leave").atMost(WITHIN_ONE_INTERVAL)
                .until(() -> find("k8s:model-serving:iris-7d9f").isEmpty());

        api.pods().inNamespace(NAMESPACE).resource(pod("iris-7d9f", iris, true)).update();
        await("it to come back ready").atMost(WITHIN_ONE_INTERVAL)
                .until(() -> find("k8s:model-serving:iris-7d9f").isPresent());
        api.pods().inNamespace(NAMESPACE).withName("iris-7d9f").delete();
        await("a deleted pod to leave").atMost(WITHIN_ONE_INTERVAL)
                .until(() -> find("k8s:model-serving:iris-7d9f").isEmpty());
    }

    @Test
    void theResyncTakesNewModelsAndDropsWhatNoPodBacks() {
        KubernetesClient api = kubernetes.getClient();
        api.pods().inNamespace(NAMESPACE).resource(pod("lstm-5c2a", lstm, true)).create();
        // A pod of another application, ready, in the same namespace: not a model-server.
        Pod other = new PodBuilder(pod("postgres-0", lstm, true)).editMetadata().withLabels(Map.of("app", "postgres"))
                .endMetadata().build();
        api.pods().inNamespace(NAMESPACE).resource(other).create();
        await("the ready pod to be routed to").atMost(WITHIN_ONE_INTERVAL)
                .until(() -> registry.serving("LSTM").stream().anyMatch(r -> r.id().equals("k8s:model-serving:lstm-5c2a")));

        // A model loaded through the model-server's API: no pod event says so, the next resync reads it.
        lstmModels = model("lstm", "LSTM").replace("]}", ",{\"name\":\"gru\",\"version\":\"2\",\"model_type\":\"GRU\"}]}");
        await("the new model to be routed to").atMost(WITHIN_ONE_INTERVAL.plus(INTERVAL))
                .until(() -> registry.serving("GRU").stream().anyMatch(r -> r.id().equals("k8s:model-serving:lstm-5c2a")));

        // What a journal kept from before a restart, of a pod that went while no manager watched.
        registry.register(new Registration("k8s:model-serving:gone-1", "http://127.0.0.1:9", "LSTM", null, null, null,
                null, null, null, null).toRecord(Instant.now()));
        await("a discovered service whose pod is gone to leave").atMost(WITHIN_ONE_INTERVAL)
                .until(() -> find("k8s:model-serving:gone-1").isEmpty());

        assertTrue(find("k8s:model-serving:postgres-0").isEmpty(), "only pods the label selector names are routed to");
        assertTrue(find("lstm_model").isPresent(), "services from the services file stay");
        api.pods().inNamespace(NAMESPACE).withName("lstm-5c2a").delete();
        api.pods().inNamespace(NAMESPACE).withName("postgres-0").delete();
        await("a deleted pod to leave").atMost(WITHIN_ONE_INTERVAL)
                .until(() -> find("k8s:model-serving:lstm-5c2a").isEmpty());
    }

    @Test
    void aPodWhoseModelsCannotBeReadIsRoutedToOnceTheyCan() {
        KubernetesClient api = kubernetes.getClient();
        api.pods().inNamespace(NAMESPACE).resource(pod("arima-0", loading, true)).create();
        await("a ready pod whose model list fails to stay unrouted for an interval").during(WITHIN_ONE_INTERVAL)
                .atMost(WITHIN_ONE_INTERVAL.multipliedBy(2)).until(() -> find("k8s:model-serving:arima-0").isEmpty());

        loaded = true;
        await("the next resync to read its models and route to it").atMost(WITHIN_ONE_INTERVAL)
                .until(() -> registry.serving("ARIMA").stream().anyMatch(r -> r.id().equals("k8s:model-serving:arima-0")));
        api.pods().inNamespace(NAMESPACE).withName("arima-0").delete();
        await("a deleted pod to leave").atMost(WITHIN_ONE_INTERVAL)
                .until(() -> find("k8s:model-serving:arima-0").isEmpty());
    }

    private Optional<Replica> find(String id) {
        return registry.all().stream().filter(r -> r.id().equals(id)).findFirst();
    }

    /** The pods' gRPC port: only its number is read (the manager forwards no gRPC call here). */
    static final int GRPC_PORT = 8081;

    /** A model-server pod as the Deployment makes it: labelled, with its ports named http and grpc, on loopback here. */
    static Pod pod(String name, HttpServer server, boolean ready) {
        return new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(NAMESPACE)
                .withLabels(Map.of("app.kubernetes.io/name", "quiver-model-server")).endMetadata()
                .withNewSpec().addNewContainer().withName("quiver-model-server")
                .addNewPort().withName("http").withContainerPort(server.getAddress().getPort()).endPort()
                .addNewPort().withName("grpc").withContainerPort(GRPC_PORT).endPort()
                .endContainer().endSpec()
                .withNewStatus().withPodIP("127.0.0.1").withPhase("Running")
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .endStatus().build();
    }

    static String model(String name, String type) {
        return "{\"models\":[{\"name\":\"" + name + "\",\"version\":\"1\",\"model_type\":\"" + type + "\"}]}";
    }

    /**
     * Answers GET /v1/models as a model-server does (503 while {@code models} gives null), and
     * /ready for the manager's health checks.
     */
    static HttpServer modelServer(java.util.function.Supplier<String> models) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/models", exchange -> {
            String listing = models.get();
            if (listing == null) {
                exchange.sendResponseHeaders(503, -1);
                exchange.close();
                return;
            }
            byte[] body = listing.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/ready", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        return server;
    }
}
