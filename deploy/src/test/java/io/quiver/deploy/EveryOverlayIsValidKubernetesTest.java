package io.quiver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each overlay renders with kustomize into objects a cluster accepts, and they fit together: every
 * ConfigMap, Secret, volume claim and service account a pod names exists, every Service and budget
 * selects pods, every probe and Service aims at a port a container opens.
 */
class EveryOverlayIsValidKubernetesTest {

    /** The Secrets no manifest holds: deploy/k8s/deploy.sh makes them, with these keys. */
    static final Map<String, Set<String>> SECRETS_MADE_BY_DEPLOY = Map.of(
            "quiver-tokens", Set.of("control-token", "data-token", "control-token-sha256", "data-token-sha256"),
            "quiver-gateway-users", Set.of("htpasswd"));

    static List<String> overlays() throws Exception {
        return Manifests.overlays();
    }

    @Test
    void thereAreTheTwoOverlaysTheDocsName() throws Exception {
        assertEquals(List.of("production", "t2-micro"), Manifests.overlays());
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void rendersTheWholeMeshInKnownKindsWithKnownFieldsOnly(String overlay) throws Exception {
        List<HasMetadata> objects = Manifests.objects("overlays/" + overlay);
        assertEquals(Set.of("quiver-model-manager", "quiver-model-server", "quiver-gateway"),
                names(objects, Deployment.class), overlay);
        assertEquals(Set.of("quiver-model-manager", "quiver-model-server", "quiver-gateway"),
                names(objects, Service.class), overlay);
        for (HasMetadata object : objects) {
            assertEquals("Namespace".equals(object.getKind()) ? null : "model-serving",
                    object.getMetadata().getNamespace(), () -> overlay + ": " + describe(object));
        }
    }

    @Test
    void aMisspelledFieldIsRefused() {
        String typo = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: x
                          image: x
                          resource: {limits: {memory: 1Gi}}
                """;
        AssertionError error = assertThrows(AssertionError.class, () -> Manifests.strictly(typo, "typo"));
        assertTrue(error.getMessage().contains("spec.template.spec.containers[0].resource"), error.getMessage());
        String kind = "apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: x}\n";
        assertThrows(AssertionError.class, () -> Manifests.strictly(kind, "kind"));
        String type = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicas: three}\n";
        assertThrows(AssertionError.class, () -> Manifests.strictly(type, "type"));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everythingAPodNamesExists(String overlay) throws Exception {
        List<HasMetadata> objects = Manifests.objects("overlays/" + overlay);
        Map<String, ConfigMap> configMaps = byName(objects, ConfigMap.class);
        Set<String> claims = names(objects, PersistentVolumeClaim.class);
        Set<String> accounts = names(objects, ServiceAccount.class);
        String deployScript = Files.readString(Manifests.K8S.resolve("deploy.sh"));
        SECRETS_MADE_BY_DEPLOY.forEach((secret, keys) -> {
            assertTrue(deployScript.contains("create secret generic " + secret), "deploy.sh makes " + secret);
            keys.forEach(key -> assertTrue(deployScript.contains(key + "="), "deploy.sh puts " + key + " into " + secret));
        });
        List<String> missing = new ArrayList<>();
        for (Deployment deployment : of(objects, Deployment.class)) {
            String where = deployment.getMetadata().getName() + ": ";
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            if (!accounts.contains(pod.getServiceAccountName())) {
                missing.add(where + "service account " + pod.getServiceAccountName());
            }
            pod.getVolumes().forEach(volume -> {
                if (volume.getConfigMap() != null && !configMaps.containsKey(volume.getConfigMap().getName())) {
                    missing.add(where + "ConfigMap " + volume.getConfigMap().getName());
                }
                if (volume.getSecret() != null && !SECRETS_MADE_BY_DEPLOY.containsKey(volume.getSecret().getSecretName())) {
                    missing.add(where + "Secret " + volume.getSecret().getSecretName());
                }
                if (volume.getPersistentVolumeClaim() != null && !claims.contains(volume.getPersistentVolumeClaim().getClaimName())) {
                    missing.add(where + "claim " + volume.getPersistentVolumeClaim().getClaimName());
                }
            });
            for (Container container : pod.getContainers()) {
                container.getEnvFrom().forEach(source -> {
                    if (source.getConfigMapRef() != null && !configMaps.containsKey(source.getConfigMapRef().getName())) {
                        missing.add(where + "ConfigMap " + source.getConfigMapRef().getName());
                    }
                });
                container.getEnv().stream().filter(env -> env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null)
                        .map(env -> env.getValueFrom().getSecretKeyRef())
                        .filter(ref -> !SECRETS_MADE_BY_DEPLOY.getOrDefault(ref.getName(), Set.of()).contains(ref.getKey()))
                        .forEach(ref -> missing.add(where + "Secret key " + ref.getName() + "/" + ref.getKey()));
                Set<String> mounts = pod.getVolumes().stream().map(v -> v.getName()).collect(Collectors.toSet());
                container.getVolumeMounts().stream().filter(mount -> !mounts.contains(mount.getName()))
                        .forEach(mount -> missing.add(where + "volume " + mount.getName()));
            }
        }
        assertEquals(List.of(), missing, overlay + ": pods name what the overlay does not hold");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void servicesProbesAndBudgetsReachPods(String overlay) throws Exception {
        List<HasMetadata> objects = Manifests.objects("overlays/" + overlay);
        List<Deployment> deployments = of(objects, Deployment.class);
        for (Service service : of(objects, Service.class)) {
            Deployment target = selected(deployments, service.getSpec().getSelector(), service.getMetadata().getName());
            Set<Integer> ports = containerPorts(target);
            service.getSpec().getPorts().forEach(port -> assertTrue(ports.contains(port(port.getTargetPort(), target)),
                    () -> "Service " + service.getMetadata().getName() + " sends to port " + port.getTargetPort()
                            + ", which its pods do not open: " + ports));
        }
        for (Deployment deployment : deployments) {
            Set<Integer> ports = containerPorts(deployment);
            for (Container container : deployment.getSpec().getTemplate().getSpec().getContainers()) {
                for (Probe probe : new Probe[] {container.getReadinessProbe(), container.getLivenessProbe()}) {
                    assertTrue(probe != null && probe.getHttpGet() != null,
                            () -> deployment.getMetadata().getName() + " has an HTTP readiness and liveness probe");
                    assertTrue(ports.contains(port(probe.getHttpGet().getPort(), deployment)),
                            () -> deployment.getMetadata().getName() + " probes a port it does not open");
                }
            }
            assertEquals(deployment.getSpec().getSelector().getMatchLabels(),
                    subset(deployment.getSpec().getTemplate().getMetadata().getLabels(), deployment.getSpec().getSelector().getMatchLabels()),
                    () -> deployment.getMetadata().getName() + "'s selector matches its own pods");
        }
        for (PodDisruptionBudget budget : of(objects, PodDisruptionBudget.class)) {
            selected(deployments, budget.getSpec().getSelector().getMatchLabels(), budget.getMetadata().getName());
        }
        for (HorizontalPodAutoscaler scaler : of(objects, HorizontalPodAutoscaler.class)) {
            assertTrue(names(objects, Deployment.class).contains(scaler.getSpec().getScaleTargetRef().getName()),
                    () -> "autoscaler " + scaler.getMetadata().getName() + " scales a Deployment that exists");
        }
    }

    static Deployment selected(List<Deployment> deployments, Map<String, String> selector, String by) {
        assertFalse(selector == null || selector.isEmpty(), by + " selects pods by label");
        List<Deployment> matched = deployments.stream()
                .filter(d -> selector.equals(subset(d.getSpec().getTemplate().getMetadata().getLabels(), selector))).toList();
        assertEquals(1, matched.size(), () -> by + " selects the pods of exactly one Deployment, not " + matched.size());
        return matched.get(0);
    }

    static Map<String, String> subset(Map<String, String> labels, Map<String, String> keys) {
        return labels.entrySet().stream().filter(e -> keys.containsKey(e.getKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    static Set<Integer> containerPorts(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                .flatMap(c -> c.getPorts().stream()).map(p -> p.getContainerPort()).collect(Collectors.toSet());
    }

    static int port(IntOrString port, Deployment deployment) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return deployment.getSpec().getTemplate().getSpec().getContainers().stream().flatMap(c -> c.getPorts().stream())
                .filter(p -> port.getStrVal().equals(p.getName())).map(p -> p.getContainerPort()).findFirst().orElse(-1);
    }

    static <T extends HasMetadata> List<T> of(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static <T extends HasMetadata> Map<String, T> byName(List<HasMetadata> objects, Class<T> type) {
        return of(objects, type).stream().collect(Collectors.toMap(o -> o.getMetadata().getName(), o -> o));
    }

    static Set<String> names(List<HasMetadata> objects, Class<? extends HasMetadata> type) {
        return of(objects, type).stream().map(o -> o.getMetadata().getName()).collect(Collectors.toSet());
    }

    static String describe(HasMetadata object) {
        return object.getKind() + " " + object.getMetadata().getName();
    }
}
