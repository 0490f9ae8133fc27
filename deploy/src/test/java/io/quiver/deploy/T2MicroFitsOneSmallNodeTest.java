package io.quiver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The t2-micro overlay on one node of 1 vCPU and 1 GiB: the pods' requests and limits together
 * leave the system its share (docs/deploy.md), so the scheduler places all of them and no pod
 * growing to its limit can push the node's own processes out of memory.
 */
class T2MicroFitsOneSmallNodeTest {

    static final BigDecimal NODE_CPU = new BigDecimal("1");
    static final BigDecimal NODE_MEMORY = Quantity.getAmountInBytes(new Quantity("1Gi"));
    /** The kernel, kubelet, container runtime and the cluster's own pods (k3s' server among them). */
    static final BigDecimal SYSTEM_CPU = Quantity.getAmountInBytes(new Quantity("250m"));
    static final BigDecimal SYSTEM_MEMORY = Quantity.getAmountInBytes(new Quantity("400Mi"));

    @Test
    void requestsAndLimitsAddUpToTheNodeLessTheSystemsShare() throws Exception {
        List<Deployment> deployments = EveryOverlayIsValidKubernetesTest.of(Manifests.objects("overlays/t2-micro"), Deployment.class);
        BigDecimal cpuBudget = NODE_CPU.subtract(SYSTEM_CPU);
        BigDecimal memoryBudget = NODE_MEMORY.subtract(SYSTEM_MEMORY);
        for (String bound : List.of("requests", "limits")) {
            BigDecimal cpu = BigDecimal.ZERO;
            BigDecimal memory = BigDecimal.ZERO;
            for (Deployment deployment : deployments) {
                int replicas = deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
                assertEquals(1, replicas, () -> deployment.getMetadata().getName() + " runs one replica on the one node");
                for (Container container : deployment.getSpec().getTemplate().getSpec().getContainers()) {
                    var amounts = bound.equals("requests") ? container.getResources().getRequests() : container.getResources().getLimits();
                    String where = deployment.getMetadata().getName() + "/" + container.getName() + " " + bound;
                    assertTrue(amounts != null && amounts.containsKey("cpu") && amounts.containsKey("memory"),
                            where + " name cpu and memory: without them a pod could take the whole node");
                    cpu = cpu.add(Quantity.getAmountInBytes(amounts.get("cpu")));
                    memory = memory.add(Quantity.getAmountInBytes(amounts.get("memory")));
                }
            }
            BigDecimal totalCpu = cpu;
            BigDecimal totalMemory = memory;
            assertTrue(totalCpu.compareTo(cpuBudget) <= 0,
                    () -> "CPU " + bound + " add up to " + totalCpu + " of the " + cpuBudget + " left beside the system");
            assertTrue(totalMemory.compareTo(memoryBudget) <= 0, () -> "memory " + bound + " add up to "
                    + mib(totalMemory) + " MiB of the " + mib(memoryBudget) + " MiB left beside the system");
        }
    }

    @Test
    void theJvmHeapAndItsOverheadFitTheServicesMemoryLimits() throws Exception {
        // deploy/jvm.options caps the heap at 96 MiB; docs/benchmarks.md measures a model-server's
        // peak at about 150 MiB and a manager's at 140 to 165 MiB with 10,000 services registered.
        List<HasMetadata> objects = Manifests.objects("overlays/t2-micro");
        for (Deployment deployment : EveryOverlayIsValidKubernetesTest.of(objects, Deployment.class)) {
            if (deployment.getMetadata().getName().equals("quiver-gateway")) {
                continue;
            }
            Quantity limit = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits().get("memory");
            assertTrue(Quantity.getAmountInBytes(limit).compareTo(Quantity.getAmountInBytes(new Quantity("200Mi"))) >= 0,
                    () -> deployment.getMetadata().getName() + "'s memory limit " + limit + " leaves room above its measured peak");
        }
    }

    private static long mib(BigDecimal bytes) {
        return bytes.divide(BigDecimal.valueOf(1024 * 1024)).longValue();
    }
}
