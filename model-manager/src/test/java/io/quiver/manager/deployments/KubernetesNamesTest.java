package io.quiver.manager.deployments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every name a deployment may have ({@link DeploymentName}: letters, digits, '_', '.', '-', up to
 * 128 each) gives Kubernetes objects names and labels the API server accepts, and no two
 * deployments share objects.
 */
class KubernetesNamesTest {
    /** What a Service's name must be (DNS-1035 label); a Deployment's (DNS-1123 subdomain) is looser. */
    static final Pattern SERVICE_NAME = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
    static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?");

    @Test
    void aNameKubernetesAcceptsAsItIsStaysReadable() {
        assertEquals("model-iris-1", KubernetesObjects.objectName(new DeploymentName("iris", "1")));
    }

    @Test
    void namesKubernetesRefusesAreMadeValidAndKeptApart() {
        String underscore = KubernetesObjects.objectName(new DeploymentName("house_price", "1"));
        String hyphen = KubernetesObjects.objectName(new DeploymentName("house-price", "1"));
        String upper = KubernetesObjects.objectName(new DeploymentName("House_Price", "1"));
        assertTrue(underscore.startsWith("model-house-price-1-"), underscore);
        assertNotEquals(underscore, hyphen);
        assertNotEquals(underscore, upper);
        for (String name : new String[] {underscore, hyphen, upper,
                KubernetesObjects.objectName(new DeploymentName("_9.x_", "v1.0")),
                KubernetesObjects.objectName(new DeploymentName("m".repeat(128), "7".repeat(128)))}) {
            assertTrue(SERVICE_NAME.matcher(name).matches(), name + " is a valid Service name");
        }
        assertNotEquals(KubernetesObjects.objectName(new DeploymentName("m".repeat(128), "1")),
                KubernetesObjects.objectName(new DeploymentName("m".repeat(127), "1")), "cut names stay apart");
    }

    @Test
    void labelsCarryTheModelAndVersionAsKubernetesAllows() {
        DeploymentName name = new DeploymentName("_fraud.detector_" + "x".repeat(100), "2026.12");
        Map<String, String> labels = KubernetesObjects.labels(name, KubernetesObjects.objectName(name),
                KubernetesBackend.labelsOf("app.kubernetes.io/name=quiver-model-server"));
        labels.values().forEach(value -> assertTrue(LABEL_VALUE.matcher(value).matches(), value + " is a valid label value"));
        assertTrue(labels.get("quiver.io/model").startsWith("fraud.detector_x"), labels.get("quiver.io/model"));
        assertEquals("2026.12", labels.get("quiver.io/version"));
        assertEquals(name.model(), KubernetesObjects.annotations(name).get("quiver.io/model"), "the name as it is");
    }

    @Test
    void thePodsCarryTheLabelsDiscoverySelectsBy() {
        assertEquals(Map.of("app.kubernetes.io/name", "quiver-model-server", "tier", "serving"),
                KubernetesBackend.labelsOf("app.kubernetes.io/name=quiver-model-server, tier==serving, env in (a,b), gpu!=true"));
    }
}
