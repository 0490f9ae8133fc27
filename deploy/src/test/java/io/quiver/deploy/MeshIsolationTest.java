package io.quiver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What each overlay lets reach what: model-servers only from the manager, the manager only from
 * the gateway (and, were they to register themselves, the model-servers), nothing else by default;
 * the manager discovers the model-servers and may read pods and nothing more; and no token or
 * password is in any manifest.
 */
class MeshIsolationTest {

    static final String NAME = "app.kubernetes.io/name";

    static List<String> overlays() throws Exception {
        return Manifests.overlays();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void onlyTheManagerReachesModelServersAndOnlyTheGatewayTheManager(String overlay) throws Exception {
        List<HasMetadata> objects = Manifests.objects("overlays/" + overlay);
        List<NetworkPolicy> policies = EveryOverlayIsValidKubernetesTest.of(objects, NetworkPolicy.class);
        assertTrue(policies.stream().anyMatch(p -> (p.getSpec().getPodSelector().getMatchLabels() == null || p.getSpec().getPodSelector().getMatchLabels().isEmpty())
                        && p.getSpec().getPodSelector().getMatchExpressions().isEmpty()
                        && p.getSpec().getPolicyTypes().contains("Ingress") && p.getSpec().getIngress().isEmpty()),
                overlay + ": a default-deny policy covers every pod of the namespace");
        assertEquals(Set.of("quiver-model-manager"), sources(policies, "quiver-model-server"), overlay);
        boolean registering = objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .filter(d -> d.getMetadata().getName().equals("quiver-model-server"))
                .flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream())
                .anyMatch(env -> env.getName().equals("QUIVER_MANAGER_URL"));
        assertEquals(registering ? Set.of("quiver-gateway", "quiver-model-server") : Set.of("quiver-gateway"),
                sources(policies, "quiver-model-manager"),
                overlay + ": the manager is reached by the gateway, and by model-servers only when they register");
        assertEquals(Set.of("anyone"), sources(policies, "quiver-gateway"), overlay);
    }

    /** The pods (by name label) whose connections the policies let into pods named {@code target}; "anyone" for no restriction. */
    static Set<String> sources(List<NetworkPolicy> policies, String target) {
        Set<String> sources = new HashSet<>();
        for (NetworkPolicy policy : policies) {
            Map<String, String> selector = policy.getSpec().getPodSelector().getMatchLabels();
            if (selector == null || !target.equals(selector.get(NAME))) {
                continue;
            }
            policy.getSpec().getIngress().forEach(rule -> {
                assertFalse(rule.getPorts().isEmpty(), policy.getMetadata().getName() + " opens one port, not all");
                if (rule.getFrom().isEmpty()) {
                    sources.add("anyone");
                }
                for (NetworkPolicyPeer peer : rule.getFrom()) {
                    assertTrue(peer.getIpBlock() == null && peer.getNamespaceSelector() == null,
                            policy.getMetadata().getName() + " lets in pods of this namespace only");
                    assertNotNull(peer.getPodSelector().getMatchLabels().get(NAME), policy.getMetadata().getName());
                    sources.add(peer.getPodSelector().getMatchLabels().get(NAME));
                }
            });
        }
        return sources;
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theManagerMayReadPodsAndManageItsDeploymentsAndNothingElseMay(String overlay) throws Exception {
        List<HasMetadata> objects = Manifests.objects("overlays/" + overlay);
        List<Role> roles = EveryOverlayIsValidKubernetesTest.of(objects, Role.class);
        assertEquals(1, roles.size(), overlay + ": one Role");
        assertEquals(EveryOverlayIsValidKubernetesTest.names(objects, io.fabric8.kubernetes.api.model.rbac.ClusterRole.class), Set.of(),
                overlay + ": no ClusterRole; the manager works in its own namespace");
        // Discovery reads pods; the Kubernetes deployment backend makes, watches and deletes a
        // Deployment and a Service per deployed version, and never changes or reads anything else.
        Map<String, Set<String>> granted = new HashMap<>();
        for (PolicyRule rule : roles.get(0).getRules()) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    granted.computeIfAbsent(group + "/" + resource, k -> new HashSet<>()).addAll(rule.getVerbs());
                }
            }
        }
        assertEquals(Map.of("/pods", Set.of("get", "list", "watch"),
                "apps/deployments", Set.of("get", "list", "watch", "create", "delete"),
                "/services", Set.of("get", "create", "delete")), granted, overlay);
        for (RoleBinding binding : EveryOverlayIsValidKubernetesTest.of(objects, RoleBinding.class)) {
            assertEquals(List.of("quiver-model-manager"), binding.getSubjects().stream().map(s -> s.getName()).toList());
        }
        for (Deployment deployment : EveryOverlayIsValidKubernetesTest.of(objects, Deployment.class)) {
            boolean manager = deployment.getMetadata().getName().equals("quiver-model-manager");
            Boolean mounts = deployment.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken();
            assertEquals(manager, mounts == null || mounts,
                    deployment.getMetadata().getName() + " gets a Kubernetes API token only if it is the manager");
        }
    }

    /**
     * The manager finds the model-servers through the Kubernetes API, with discovery's defaults
     * (quiver.manager.discovery.*): pods labelled app.kubernetes.io/name=quiver-model-server,
     * serving on a port named http. So no model-server needs the manager's address or a token.
     */
    @ParameterizedTest
    @MethodSource("overlays")
    void theManagerDiscoversTheModelServers(String overlay) throws Exception {
        List<HasMetadata> objects = Manifests.objects("overlays/" + overlay);
        Deployment manager = deployment(objects, "quiver-model-manager");
        String configMap = manager.getSpec().getTemplate().getSpec().getContainers().get(0).getEnvFrom().stream()
                .filter(from -> from.getConfigMapRef() != null).map(from -> from.getConfigMapRef().getName())
                .findFirst().orElseThrow();
        ConfigMap settings = EveryOverlayIsValidKubernetesTest.of(objects, ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().equals(configMap)).findFirst().orElseThrow();
        assertEquals("true", settings.getData().get("QUIVER_MANAGER_DISCOVERY_ENABLED"), overlay + ": discovery is on");
        assertEquals("kubernetes", settings.getData().get("QUIVER_MANAGER_DEPLOYMENTS_BACKEND"),
                overlay + ": deployed versions are Deployments, which discovery sees as model-servers");

        Deployment servers = deployment(objects, "quiver-model-server");
        assertEquals("quiver-model-server", servers.getSpec().getTemplate().getMetadata().getLabels().get(NAME),
                overlay + ": the model-server pods carry the label discovery selects by");
        assertTrue(servers.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().stream()
                .map(ContainerPort::getName).anyMatch("http"::equals), overlay + ": the model-server names its port http");
        // And its gRPC port grpc (discovery's grpc-port-name), which the manager forwards gRPC calls to.
        List<ContainerPort> ports = servers.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts();
        assertTrue(ports.stream().anyMatch(p -> "grpc".equals(p.getName()) && p.getContainerPort() == 8081),
                overlay + ": the model-server names its gRPC port grpc: " + ports);
        Set<Integer> open = new HashSet<>();
        EveryOverlayIsValidKubernetesTest.of(objects, NetworkPolicy.class).stream()
                .filter(p -> "quiver-model-server".equals(p.getSpec().getPodSelector().getMatchLabels() == null ? null
                        : p.getSpec().getPodSelector().getMatchLabels().get(NAME)))
                .flatMap(p -> p.getSpec().getIngress().stream()).flatMap(rule -> rule.getPorts().stream())
                .forEach(port -> open.add(port.getPort().getIntVal()));
        assertEquals(Set.of(8080, 8081), open, overlay + ": the manager may reach the model-servers' HTTP and gRPC ports");
        assertTrue(servers.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                        .noneMatch(env -> env.getName().startsWith("QUIVER_MANAGER_")),
                overlay + ": model-servers are discovered, not told where the manager is or given its token");
    }

    private static Deployment deployment(List<HasMetadata> objects, String name) {
        return EveryOverlayIsValidKubernetesTest.of(objects, Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals(name)).findFirst().orElseThrow();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void noTokenOrPasswordIsInAManifest(String overlay) throws Exception {
        List<HasMetadata> objects = Manifests.objects("overlays/" + overlay);
        assertEquals(List.of(), EveryOverlayIsValidKubernetesTest.of(objects, Secret.class), overlay + ": Secrets are made in the cluster");
        for (Deployment deployment : EveryOverlayIsValidKubernetesTest.of(objects, Deployment.class)) {
            for (EnvVar env : deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
                if (env.getName().matches(".*(TOKEN|PASSWORD|SECRET).*")) {
                    assertTrue(env.getValue() == null && env.getValueFrom().getSecretKeyRef() != null,
                            deployment.getMetadata().getName() + "'s " + env.getName() + " comes from a Secret");
                }
            }
        }
        String rendered = Manifests.render("overlays/" + overlay);
        assertFalse(rendered.matches("(?s).*\\b[0-9a-f]{48,64}\\b.*"), overlay + ": nothing that looks like a token or its hash");
    }
}
