package io.quiver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Kubernetes objects of deploy/k8s as a cluster would receive them: an overlay rendered by
 * {@code kubectl kustomize}, each object read into its fabric8 model class and refused when its
 * kind is unknown or any field is one the Kubernetes schema does not have.
 */
final class Manifests {

    static final Path ROOT = Path.of(System.getProperty("quiver.repository-root", "..")).toAbsolutePath().normalize();
    static final Path K8S = ROOT.resolve("deploy/k8s");

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Manifests() {
    }

    /** The overlays under deploy/k8s/overlays, by directory name. */
    static List<String> overlays() throws IOException {
        try (Stream<Path> dirs = Files.list(K8S.resolve("overlays"))) {
            return dirs.filter(dir -> Files.isRegularFile(dir.resolve("kustomization.yaml")))
                    .map(dir -> dir.getFileName().toString()).sorted().toList();
        }
    }

    private static Boolean kustomizeRenders;

    /**
     * Skips the calling test, saying why, when there is no kubectl that can render the overlays:
     * none installed, or one whose built-in kustomize predates components (kubectl 1.20 and older,
     * which is what Debian bookworm's kubernetes-client package holds).
     */
    static synchronized void assumeKubectl() {
        assumeTrue(kubectl() != null, "kubectl is not installed, so the overlays cannot be rendered: "
                + "apt-get install kubernetes-client (.ci/run does), or kubectl 1.21 or newer from Kubernetes' own packages");
        if (kustomizeRenders == null) {
            String version = "";
            try {
                Process process = new ProcessBuilder(kubectl(), "version", "--client").redirectErrorStream(true).start();
                version = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                version = e.toString();
            }
            var kustomize = java.util.regex.Pattern.compile("Kustomize Version: v(\\d+)").matcher(version);
            kustomizeRenders = kustomize.find() && Integer.parseInt(kustomize.group(1)) >= 4;
            kustomizeVersion = version.strip();
        }
        assumeTrue(kustomizeRenders, () -> "this kubectl's kustomize cannot render the overlays' components"
                + " (kubectl 1.21 or newer can; Debian bookworm's kubernetes-client is 1.20): " + kustomizeVersion);
    }

    private static String kustomizeVersion;

    private static String kubectl() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "kubectl"))) {
                return Path.of(dir, "kubectl").toString();
            }
        }
        return null;
    }

    /** {@code kubectl kustomize} of a directory under deploy/k8s, as YAML. */
    static String render(String dir) throws IOException, InterruptedException {
        assumeKubectl();
        Path err = Files.createTempFile("kustomize", ".err");
        try {
            Process process = new ProcessBuilder(kubectl(), "kustomize", K8S.resolve(dir).toString())
                    .redirectError(err.toFile()).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("kubectl kustomize " + dir + " did not finish within 60 s");
            }
            assertEquals(0, process.exitValue(), () -> "kubectl kustomize " + dir + " failed (the overlays use kustomize"
                    + " components: kubectl 1.21 or newer; Debian bookworm's kubernetes-client is 1.20): " + read(err));
            return out;
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** An overlay rendered and read strictly into the Kubernetes model. */
    static List<HasMetadata> objects(String dir) throws IOException, InterruptedException {
        return strictly(render(dir), "deploy/k8s/" + dir);
    }

    /** Every document of a YAML stream read strictly into the Kubernetes model; {@code source} names it in failures. */
    static List<HasMetadata> strictly(String yaml, String source) throws IOException {
        List<HasMetadata> objects = new ArrayList<>();
        try (var documents = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document == null || document.isEmpty()) {
                    continue;
                }
                String name = source + ": " + document.path("kind").asText("(no kind)") + " "
                        + document.path("metadata").path("name").asText("(no name)");
                KubernetesResource resource;
                try {
                    resource = SERIALIZATION.convertValue(document, KubernetesResource.class);
                } catch (IllegalArgumentException e) {
                    throw new AssertionError(name + " does not fit the Kubernetes schema: " + e.getMessage(), e);
                }
                if (resource instanceof GenericKubernetesResource || !(resource instanceof HasMetadata object)) {
                    throw new AssertionError(name + ": apiVersion " + document.path("apiVersion").asText()
                            + " with kind " + document.path("kind").asText() + " is not a Kubernetes type");
                }
                List<String> unknown = new ArrayList<>();
                unknownFields(object, "", unknown);
                if (!unknown.isEmpty()) {
                    throw new AssertionError(name + " has fields the Kubernetes schema does not know: " + unknown);
                }
                objects.add(object);
            }
        }
        return objects;
    }

    /**
     * The model classes keep fields they do not know in {@code additionalProperties} instead of
     * failing; any found there, at any depth, is a field Kubernetes would refuse or ignore.
     */
    private static void unknownFields(Object value, String path, List<String> unknown) {
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                unknownFields(list.get(i), path + "[" + i + "]", unknown);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, item) -> unknownFields(item, path + "." + key, unknown));
            return;
        }
        if (value == null || !value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object field;
            try {
                field = getter.invoke(value);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            String name = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
            if (name.equals("additionalProperties") && field instanceof Map<?, ?> extra) {
                extra.keySet().forEach(key -> unknown.add((path.isEmpty() ? "" : path + ".") + key));
            } else {
                unknownFields(field, path.isEmpty() ? name : path + "." + name, unknown);
            }
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
