package io.quiver.manager.deployments;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the Kubernetes backend creates for one model version: a Deployment of one model-server pod
 * that loads exactly that version, and a ClusterIP Service in front of it. The pod is the
 * model-server of deploy/k8s/base/model-server.yml (its image, probes, sizes and hardening), so
 * discovery, the network policies and an operator's {@code kubectl} see it as one of the mesh's.
 */
final class KubernetesObjects {
    static final String NAME = "app.kubernetes.io/name";
    static final String PART_OF = "app.kubernetes.io/part-of";
    static final String INSTANCE = "app.kubernetes.io/instance";
    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    /** The value of {@link #MANAGED_BY} on every object the backend makes: how it finds them again. */
    static final String MANAGER = "quiver-model-manager";
    /** The model and version as labels (made valid label values) and as annotations (as they are). */
    static final String MODEL = "quiver.io/model";
    static final String VERSION = "quiver.io/version";
    static final String CONTAINER = "quiver-model-server";
    static final int HTTP_PORT = 8080;
    /** The model-server's default gRPC port (quiver.grpc.port), the Service's gRPC port too. */
    static final int GRPC_PORT = 8081;
    private static final int MAX_NAME = 63;

    private KubernetesObjects() {
    }

    /**
     * The Deployment's and Service's name: {@code model-<model>-<version>} made a DNS-1035 label
     * (what a Service name must be: lower case letters, digits and '-', at most 63). When that
     * changed the name ({@code house_price} becomes {@code house-price}) a hash of the real name
     * follows, so that {@code house_price} and {@code house-price} never share objects.
     */
    static String objectName(DeploymentName name) {
        String raw = "model-" + name.model() + "-" + name.version();
        String clean = raw.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("-{2,}", "-");
        if (clean.equals(raw) && clean.length() <= MAX_NAME && !clean.endsWith("-")) {
            return clean;
        }
        String hash = hash(name.toString());
        String kept = clean.substring(0, Math.min(clean.length(), MAX_NAME - hash.length() - 1));
        return kept.replaceAll("-+$", "") + "-" + hash;
    }

    /** A valid label value: at most 63 of letters, digits, '-', '_' and '.', starting and ending alphanumeric. */
    static String labelValue(String value) {
        String clean = value.replaceAll("[^A-Za-z0-9_.-]", "-");
        clean = clean.substring(0, Math.min(clean.length(), MAX_NAME));
        return clean.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
    }

    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The labels that select one deployment's pods, for the Deployment's selector and the Service's. */
    static Map<String, String> selector(String objectName) {
        return Map.of(INSTANCE, objectName, MANAGED_BY, MANAGER);
    }

    /** Every label of the objects and pods: the discovery labels, the mesh's, ownership, model and version. */
    static Map<String, String> labels(DeploymentName name, String objectName, Map<String, String> discoveryLabels) {
        Map<String, String> labels = new LinkedHashMap<>(discoveryLabels);
        labels.putIfAbsent(NAME, CONTAINER);
        labels.put(PART_OF, "quiver");
        labels.putAll(selector(objectName));
        labels.put(MODEL, labelValue(name.model()));
        labels.put(VERSION, labelValue(name.version()));
        return labels;
    }

    static Map<String, String> annotations(DeploymentName name) {
        return Map.of(MODEL, name.model(), VERSION, name.version());
    }

    /** The deployment a Deployment the backend made is for, from its annotations; empty for any other. */
    static Optional<DeploymentName> nameOf(Deployment deployment) {
        Map<String, String> annotations = deployment.getMetadata().getAnnotations();
        if (annotations == null || !annotations.containsKey(MODEL) || !annotations.containsKey(VERSION)) {
            return Optional.empty();
        }
        return Optional.of(new DeploymentName(annotations.get(MODEL), annotations.get(VERSION)));
    }

    static Deployment deployment(DeploymentName name, ModelRegistrySource.ModelLocation location,
                                 DeploymentsConfig.Kubernetes config, Map<String, String> discoveryLabels,
                                 Duration progressDeadline) {
        String objectName = objectName(name);
        Map<String, String> labels = labels(name, objectName, discoveryLabels);
        List<EnvVar> env = DeploymentBackend.serverEnvironment(location, config.repository()).entrySet().stream()
                .map(e -> new EnvVar(e.getKey(), e.getValue(), null)).toList();
        return new DeploymentBuilder()
                .withNewMetadata().withName(objectName).withLabels(labels).withAnnotations(annotations(name))
                .endMetadata()
                .withNewSpec().withReplicas(1)
                // Kubernetes reports a rollout that is not ready by then as failed; the manager waits as long.
                .withProgressDeadlineSeconds((int) Math.max(1, progressDeadline.toSeconds()))
                .withNewSelector().withMatchLabels(selector(objectName)).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(labels).withAnnotations(podAnnotations(name)).endMetadata()
                .withNewSpec()
                .withServiceAccountName(config.serviceAccount())
                // Model-servers call no Kubernetes API (deploy/k8s gives theirs no token either).
                .withAutomountServiceAccountToken(false)
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(10001L).withRunAsGroup(10001L)
                .withFsGroup(10001L).withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .addNewContainer().withName(CONTAINER).withImage(config.image())
                .withImagePullPolicy(config.imagePullPolicy())
                .withEnv(env)
                .addNewEnvFrom().withNewConfigMapRef(config.configMap(), true).endEnvFrom()
                .addAllToEnvFrom(config.secret().map(secret -> List.of(new io.fabric8.kubernetes.api.model.EnvFromSourceBuilder()
                        .withNewSecretRef(secret, true).build())).orElse(List.of()))
                .addNewPort().withName("http").withContainerPort(HTTP_PORT).withProtocol("TCP").endPort()
                .addNewPort().withName("grpc").withContainerPort(GRPC_PORT).withProtocol("TCP").endPort()
                .withStartupProbe(probe("/v2/health/live", 2, 60))
                .withReadinessProbe(probe("/v2/health/ready", 10, 3))
                .withLivenessProbe(probe("/v2/health/live", 15, 3))
                .withNewResources()
                .addToRequests("cpu", new Quantity(config.cpuRequest()))
                .addToRequests("memory", new Quantity(config.memoryRequest()))
                .addToLimits("cpu", new Quantity(config.cpuLimit()))
                .addToLimits("memory", new Quantity(config.memoryLimit()))
                .endResources()
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
                .addNewVolumeMount().withName("models").withMountPath(config.repository()).endVolumeMount()
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                .endContainer()
                .addNewVolume().withName("models").withNewPersistentVolumeClaim(config.modelsClaim(), false)
                .endVolume()
                // ONNX Runtime's native libraries are unpacked here once per pod.
                .addNewVolume().withName("tmp").withNewEmptyDir().withSizeLimit(new Quantity("128Mi")).endEmptyDir()
                .endVolume()
                .endSpec().endTemplate().endSpec().build();
    }

    private static Map<String, String> podAnnotations(DeploymentName name) {
        Map<String, String> annotations = new LinkedHashMap<>(annotations(name));
        annotations.put("prometheus.io/scrape", "true");
        annotations.put("prometheus.io/path", "/q/metrics");
        annotations.put("prometheus.io/port", Integer.toString(HTTP_PORT));
        annotations.put("prometheus.io/scheme", "http");
        return annotations;
    }

    /** The model-server's probes as deploy/k8s/base/model-server.yml has them. */
    private static Probe probe(String path, int periodSeconds, int failureThreshold) {
        return new ProbeBuilder().withNewHttpGet().withPath(path).withPort(new IntOrString(HTTP_PORT))
                .withScheme("HTTP").endHttpGet().withInitialDelaySeconds(0).withPeriodSeconds(periodSeconds)
                .withTimeoutSeconds(3).withFailureThreshold(failureThreshold).withSuccessThreshold(1).build();
    }

    /** The ClusterIP Service in front of the deployment's pod, owned by its Deployment so that it goes with it. */
    static Service service(Deployment deployment, int port) {
        String objectName = deployment.getMetadata().getName();
        ServiceBuilder service = new ServiceBuilder()
                .withNewMetadata().withName(objectName).withLabels(deployment.getMetadata().getLabels())
                .withAnnotations(deployment.getMetadata().getAnnotations()).endMetadata()
                .withNewSpec().withType("ClusterIP").withSelector(selector(objectName))
                .addNewPort().withName("http").withPort(port).withTargetPort(new IntOrString("http"))
                .withProtocol("TCP").endPort()
                .addNewPort().withName("grpc").withPort(GRPC_PORT).withTargetPort(new IntOrString("grpc"))
                .withProtocol("TCP").endPort()
                .endSpec();
        if (deployment.getMetadata().getUid() != null) {
            service.editMetadata().addNewOwnerReference().withApiVersion("apps/v1").withKind("Deployment")
                    .withName(objectName).withUid(deployment.getMetadata().getUid()).endOwnerReference().endMetadata();
        }
        return service.build();
    }
}
