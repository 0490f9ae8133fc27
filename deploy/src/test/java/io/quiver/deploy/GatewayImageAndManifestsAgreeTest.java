package io.quiver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The gateway's image (deploy/gateway.Dockerfile, which no test here can build: there is no
 * container runtime) and the Kubernetes gateway that runs it must agree on paths, user and port,
 * and the ConfigMap must carry every file of gateway/conf, or nginx fails at an include that only
 * exists in the checkout.
 */
class GatewayImageAndManifestsAgreeTest {

    static final Path DOCKERFILE = Manifests.ROOT.resolve("deploy/gateway.Dockerfile");

    /** COPY source to destination, in order. */
    static Map<String, String> copies(List<String> lines) {
        Map<String, String> copies = new LinkedHashMap<>();
        lines.stream().filter(line -> line.startsWith("COPY ")).map(line -> line.split("\\s+"))
                .forEach(parts -> copies.put(parts[1], parts[2]));
        return copies;
    }

    static String instruction(List<String> lines, String name) {
        return lines.stream().filter(line -> line.startsWith(name + " ")).map(line -> line.substring(name.length() + 1).strip())
                .findFirst().orElseThrow(() -> new AssertionError(DOCKERFILE + " has no " + name));
    }

    @Test
    void theDockerfileCopiesWhatExistsAndStartsIt() throws Exception {
        List<String> lines = Files.readAllLines(DOCKERFILE);
        assertTrue(instruction(lines, "FROM").matches("nginx:[0-9.]+"), "the official nginx image, a pinned release");
        Map<String, String> copies = copies(lines);
        copies.keySet().forEach(source -> assertTrue(Files.exists(Manifests.ROOT.resolve(source)), source + " exists in the build context"));
        String entrypoint = instruction(lines, "ENTRYPOINT");
        assertEquals("[\"" + copies.get("gateway/start") + "\"]", entrypoint);
        assertTrue(Files.isExecutable(Manifests.ROOT.resolve("gateway/start")), "gateway/start is executable, as copied");
        assertTrue(!instruction(lines, "USER").equals("0") && !instruction(lines, "USER").equals("root"), "not root");
    }

    @Test
    void theKubernetesGatewayRunsTheImageAsItIsBuilt() throws Exception {
        List<String> lines = Files.readAllLines(DOCKERFILE);
        List<HasMetadata> objects = Manifests.objects("base");
        Deployment gateway = EveryOverlayIsValidKubernetesTest.byName(objects, Deployment.class).get("quiver-gateway");
        Container container = gateway.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals(List.of(copies(lines).get("gateway/start")), container.getCommand());
        String confMount = container.getVolumeMounts().stream().filter(m -> m.getName().equals("conf")).findFirst().orElseThrow().getMountPath();
        assertEquals(copies(lines).get("gateway/conf/").replaceAll("/$", ""), confMount, "the ConfigMap replaces the image's conf/");
        assertEquals(Long.parseLong(instruction(lines, "USER")), gateway.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser());
        String port = EveryOverlayIsValidKubernetesTest.byName(objects, ConfigMap.class).values().stream()
                .filter(c -> c.getMetadata().getName().startsWith("quiver-gateway-") && c.getData().containsKey("GATEWAY_PORT"))
                .findFirst().orElseThrow().getData().get("GATEWAY_PORT");
        assertEquals(instruction(lines, "EXPOSE"), port);
        assertEquals(Integer.parseInt(port), container.getPorts().get(0).getContainerPort());
    }

    @Test
    void theConfigMapCarriesEveryFileOfGatewayConf() throws Exception {
        Set<String> files;
        try (Stream<Path> conf = Files.list(Manifests.ROOT.resolve("gateway/conf"))) {
            files = conf.map(f -> f.getFileName().toString()).collect(Collectors.toSet());
        }
        ConfigMap conf = EveryOverlayIsValidKubernetesTest.byName(Manifests.objects("base"), ConfigMap.class).values().stream()
                .filter(c -> c.getMetadata().getName().startsWith("quiver-gateway-conf")).findFirst().orElseThrow();
        assertEquals(files, conf.getData().keySet(), "gateway/kustomization.yaml lists every file of gateway/conf");
        for (String file : files) {
            assertEquals(Files.readString(Manifests.ROOT.resolve("gateway/conf/" + file)), conf.getData().get(file), file);
        }
    }
}
