package io.quiver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * deploy/k8s/base/model-server.yml and model-manager.yml are what quarkus-kubernetes writes from
 * each service's application.properties, but for the commit the build was made from; a changed
 * property without a refreshed copy fails here.
 * And the JVM settings the pods get through JDK_JAVA_OPTIONS are deploy/jvm.options' and
 * deploy/jvm-22.options', in order.
 */
class KubernetesManifestsMatchTheBuildTest {

    @ParameterizedTest
    @ValueSource(strings = {"model-server", "model-manager"})
    void theBaseHoldsWhatTheBuildGenerates(String service) throws Exception {
        Path generated = Manifests.ROOT.resolve(service + "/target/quarkus-app/kubernetes/kubernetes.yml");
        assertTrue(Files.isRegularFile(generated), generated + " is written by `./mvnw -pl " + service + " package`");
        Path committed = Manifests.K8S.resolve("base/" + service + ".yml");
        // Compared as Kubernetes objects: quarkus-kubernetes writes labels, variables and ports (the
        // model-server's http and grpc) in no fixed order from one build to the next (none of its
        // variables refers to another).
        List<HasMetadata> expected = sorted(Manifests.strictly(Files.readString(generated), generated.toString()));
        List<HasMetadata> actual = sorted(Manifests.strictly(Files.readString(committed), committed.toString()));
        assertTrue(expected.equals(actual), () -> committed
                + " is not what quarkus-kubernetes generates from " + service
                + "/src/main/resources/application.properties; after `./mvnw -pl " + service + " -am package -DskipTests`: cp "
                + Manifests.ROOT.relativize(generated) + " " + Manifests.ROOT.relativize(committed));
        assertEquals(List.of("Service", "Deployment"), actual.stream().map(HasMetadata::getKind).toList());
    }

    /** Written by quarkus-kubernetes from the checkout's git state, so they differ with every commit. */
    private static final List<String> BUILD_PROVENANCE = List.of("app.quarkus.io/commit-id", "app.quarkus.io/vcs-uri");

    static List<HasMetadata> sorted(List<HasMetadata> objects) {
        for (HasMetadata object : objects) {
            withoutProvenance(object.getMetadata());
            if (object instanceof Deployment deployment) {
                withoutProvenance(deployment.getSpec().getTemplate().getMetadata());
            }
        }
        objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream())
                .forEach(c -> {
                    c.setEnv(c.getEnv().stream().sorted(Comparator.comparing(EnvVar::getName)).toList());
                    c.setPorts(c.getPorts().stream().sorted(Comparator.comparing(ContainerPort::getName)).toList());
                });
        objects.stream().filter(Service.class::isInstance).map(Service.class::cast).forEach(s -> s.getSpec().setPorts(
                s.getSpec().getPorts().stream().sorted(Comparator.comparing(ServicePort::getName)).toList()));
        return objects;
    }

    private static void withoutProvenance(io.fabric8.kubernetes.api.model.ObjectMeta metadata) {
        if (metadata != null && metadata.getAnnotations() != null) {
            BUILD_PROVENANCE.forEach(metadata.getAnnotations()::remove);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"t2-micro", "production"})
    void thePodsRunWithTheJvmSettingsOfDeployJvmOptions(String overlay) throws Exception {
        List<String> options = new ArrayList<>();
        for (String file : List.of("jvm.options", "jvm-22.options")) {
            Files.readAllLines(Manifests.ROOT.resolve("deploy/" + file)).stream().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).forEach(options::add);
        }
        List<HasMetadata> objects = Manifests.objects("overlays/" + overlay);
        Map<String, String> configMapOf = EveryOverlayIsValidKubernetesTest.of(objects, Deployment.class).stream()
                .filter(d -> !d.getMetadata().getName().equals("quiver-gateway"))
                .collect(Collectors.toMap(d -> d.getMetadata().getName(),
                        d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnvFrom().get(0).getConfigMapRef().getName()));
        var configMaps = EveryOverlayIsValidKubernetesTest.byName(objects, io.fabric8.kubernetes.api.model.ConfigMap.class);
        configMapOf.forEach((deployment, configMap) -> assertEquals(options,
                List.of(configMaps.get(configMap).getData().get("JDK_JAVA_OPTIONS").split(" ")),
                deployment + "'s JDK_JAVA_OPTIONS in " + overlay));
    }
}
