package io.quiver.manager.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two manager replicas that discover the same model-server pods agree on the registry without
 * sharing anything but the Kubernetes API: each routes to the pods once they are ready, with the
 * models the model-servers themselves list, and both drop a pod that is deleted. The managers and
 * model-servers are the packaged applications as processes; no Kubernetes cluster runs here, so
 * the API they read is fabric8's mock server in CRUD mode, holding pods that point at the
 * model-servers' loopback ports.
 */
class MeshDiscoveryIT {
    static final String NAMESPACE = "quiver-test";
    /** SERVICE_DISCOVERY_INTERVAL below, and what "within one interval" allows on a loaded machine. */
    static final Duration WITHIN_ONE_INTERVAL = Duration.ofSeconds(3);

    static final KubernetesMockServer API = startedApi();

    @RegisterExtension
    static final Mesh MESH = Mesh.withReplicas(2)
            .managerSetting("QUIVER_MANAGER_DISCOVERY_ENABLED", "true")
            .managerSetting("QUIVER_MANAGER_DISCOVERY_NAMESPACE", NAMESPACE)
            .managerSetting("SERVICE_DISCOVERY_INTERVAL", "2")
            .managerSetting("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", API.url("/"));

    private static KubernetesMockServer startedApi() {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        return server;
    }

    @AfterAll
    static void stopApi() {
        API.destroy();
    }

    @Test
    void twoManagersRouteToTheSamePodsAndDropTheSameOnes() throws IOException {
        ServiceProcess second = MESH.anotherManager("manager-2");
        List<ServiceProcess> managers = List.of(MESH.manager(), second);
        try (KubernetesClient api = API.createClient()) {
            for (ServiceProcess replica : MESH.replicas()) {
                api.pods().inNamespace(NAMESPACE).resource(pod(replica, false)).create();
            }
            api.pods().inNamespace(NAMESPACE).resource(pod(MESH.replica("replica-1"), true)).update();
            Mesh.await("both managers to route to the ready pod, and only to it", WITHIN_ONE_INTERVAL,
                    () -> managers.stream().allMatch(m -> discovered(m).keySet().equals(Set.of("k8s:" + NAMESPACE + ":replica-1"))));
            api.pods().inNamespace(NAMESPACE).resource(pod(MESH.replica("replica-2"), true)).update();
            Mesh.await("both managers to route to both pods", WITHIN_ONE_INTERVAL,
                    () -> managers.stream().allMatch(m -> discovered(m).size() == 2));
            assertEquals(discovered(MESH.manager()), discovered(second), "the two registries agree");
            for (ServiceProcess replica : MESH.replicas()) {
                JsonNode service = discovered(second).get("k8s:" + NAMESPACE + ":" + replica.name());
                assertEquals(replica.uri().toString(), service.path("service_url").asText());
                Set<String> types = new HashSet<>();
                service.path("model_types").forEach(t -> types.add(t.asText()));
                assertTrue(types.containsAll(Set.of("LSTM", "lstm_forecaster", "house_price", "regression")), types.toString());
            }
            for (ServiceProcess manager : managers) {
                assertEquals(Set.of("k8s:" + NAMESPACE + ":replica-1", "k8s:" + NAMESPACE + ":replica-2"), servedBy(manager));
            }

            api.pods().inNamespace(NAMESPACE).withName("replica-2").delete();
            Mesh.await("both managers to drop the deleted pod", WITHIN_ONE_INTERVAL,
                    () -> managers.stream().allMatch(m -> discovered(m).size() == 1));
            assertEquals(discovered(MESH.manager()), discovered(second), "the two registries agree");
            for (ServiceProcess manager : managers) {
                assertEquals(Set.of("k8s:" + NAMESPACE + ":replica-1"), servedBy(manager));
            }
            System.out.println("[mesh] discovery: two managers followed two pods becoming ready and one deleted, and agreed");
        }
    }

    /** The discovered services a manager lists, by id, without the time each was registered at. */
    private static Map<String, JsonNode> discovered(ServiceProcess manager) {
        Map<String, JsonNode> services = new TreeMap<>();
        for (JsonNode service : MESH.http().getJson(manager.uri("/services")).path("services")) {
            String id = service.path("service_id").asText();
            if (id.startsWith("k8s:")) {
                JsonNode registration = service.deepCopy();
                ((ObjectNode) registration).remove(List.of("registered_at", "health"));
                services.put(id, registration);
            }
        }
        return services;
    }

    /** The services that answered twenty predictions sent to {@code manager}. */
    private static Set<String> servedBy(ServiceProcess manager) throws IOException {
        Set<String> servedBy = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            Http.Answer answer = MESH.http().post(manager.uri("/predict"), Forecasts.body(new double[] {0.1, 0.2}));
            assertEquals(200, answer.status(), answer.toString());
            servedBy.add(answer.servedBy());
        }
        return servedBy;
    }

    /** A model-server pod as the Deployment makes it, at the address and port of a model-server process. */
    private static Pod pod(ServiceProcess replica, boolean ready) {
        return new PodBuilder()
                .withNewMetadata().withName(replica.name()).withNamespace(NAMESPACE)
                .withLabels(Map.of("app.kubernetes.io/name", "quiver-model-server")).endMetadata()
                .withNewSpec().addNewContainer().withName("quiver-model-server")
                .addNewPort().withName("http").withContainerPort(replica.port()).endPort()
                .endContainer().endSpec()
                .withNewStatus().withPodIP("127.0.0.1").withPhase("Running")
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .endStatus().build();
    }
}
