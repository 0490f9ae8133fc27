package io.quiver.manager.deployments;

import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import java.util.List;
import java.util.Set;

/**
 * A deployment's state as Kubernetes reports it: ready once its Deployment has a ready replica;
 * failed when the Deployment gave up (its rollout passed the progress deadline, or its ReplicaSet
 * could not create the pod) or its pod cannot run (a container that crashes over and over, an
 * image that cannot be pulled); starting otherwise.
 */
final class RolloutStatus {
    /**
     * Container states Kubernetes retries for ever without a change to the Deployment. ErrImagePull
     * is not one: a first pull that fails may be a registry's hiccup, and becomes ImagePullBackOff.
     */
    private static final Set<String> STUCK = Set.of("CrashLoopBackOff", "ImagePullBackOff", "InvalidImageName",
            "CreateContainerConfigError", "CreateContainerError");

    private RolloutStatus() {
    }

    static DeploymentBackend.Reported of(Deployment deployment, List<Pod> pods) {
        String failure = failure(deployment, pods);
        if (failure != null) {
            return new DeploymentBackend.Reported(false, failure);
        }
        Integer ready = deployment.getStatus() == null ? null : deployment.getStatus().getReadyReplicas();
        return new DeploymentBackend.Reported(ready != null && ready > 0, null);
    }

    /** Why the deployment cannot serve, in Kubernetes' own words; null when nothing says so. */
    static String failure(Deployment deployment, List<Pod> pods) {
        String name = "Deployment " + deployment.getMetadata().getName();
        if (deployment.getStatus() != null && deployment.getStatus().getConditions() != null) {
            for (DeploymentCondition condition : deployment.getStatus().getConditions()) {
                if ("Progressing".equals(condition.getType()) && "False".equals(condition.getStatus())) {
                    return name + " made no progress: " + said(condition.getReason(), condition.getMessage());
                }
                if ("ReplicaFailure".equals(condition.getType()) && "True".equals(condition.getStatus())) {
                    return name + " cannot create its pod: " + said(condition.getReason(), condition.getMessage());
                }
            }
        }
        for (Pod pod : pods) {
            List<ContainerStatus> containers = pod.getStatus() == null ? null : pod.getStatus().getContainerStatuses();
            for (ContainerStatus container : containers == null ? List.<ContainerStatus>of() : containers) {
                ContainerStateWaiting waiting = container.getState() == null ? null : container.getState().getWaiting();
                if (waiting != null && STUCK.contains(waiting.getReason())) {
                    return "pod " + pod.getMetadata().getName() + " of " + name + ": container " + container.getName()
                            + " " + said(waiting.getReason(), waiting.getMessage()) + exit(container);
                }
            }
        }
        return null;
    }

    private static String said(String reason, String message) {
        return message == null || message.isBlank() ? reason : reason + " (" + message + ")";
    }

    /** How the container last ended, when it ran at all: what a crash loop's cause most often shows. */
    private static String exit(ContainerStatus container) {
        if (container.getLastState() == null || container.getLastState().getTerminated() == null) {
            return "";
        }
        var terminated = container.getLastState().getTerminated();
        return "; it last exited with code " + terminated.getExitCode()
                + (terminated.getReason() == null ? "" : " (" + terminated.getReason() + ")")
                + ", restarted " + container.getRestartCount() + " times";
    }
}
