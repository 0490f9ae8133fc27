package io.quiver.manager.deployments;

import static io.quiver.manager.deployments.KubernetesObjects.INSTANCE;
import static io.quiver.manager.deployments.KubernetesObjects.MANAGED_BY;
import static io.quiver.manager.deployments.KubernetesObjects.MANAGER;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * What Kubernetes reports of the backend's deployments, kept current by two informers (a list,
 * then a watch) on the Deployments and the pods labelled as the manager's: asking costs no API
 * call, however often a deployment waiting to be ready asks.
 */
final class KubernetesWatch implements AutoCloseable {
    private final String namespace;
    private final SharedIndexInformer<Deployment> deployments;
    private final SharedIndexInformer<Pod> pods;

    /**
     * Starts both informers and returns once each has listed what exists. Every change is handed
     * to {@code changed} with the object name it concerns, and the uid of a Deployment deleted.
     *
     * @throws KubernetesClientException when the API refuses the list or the watch
     */
    KubernetesWatch(KubernetesClient client, String namespace, BiConsumer<String, String> changed) {
        this.namespace = namespace;
        this.deployments = client.apps().deployments().inNamespace(namespace).withLabel(MANAGED_BY, MANAGER)
                .inform(handler(d -> d.getMetadata().getName(), changed), 0);
        try {
            this.pods = client.pods().inNamespace(namespace).withLabel(MANAGED_BY, MANAGER)
                    .inform(handler(p -> p.getMetadata().getLabels().get(INSTANCE), changed), 0);
        } catch (KubernetesClientException e) {
            deployments.close();
            throw e;
        }
    }

    private static <T extends HasMetadata> ResourceEventHandler<T> handler(Function<T, String> objectName,
                                                                          BiConsumer<String, String> changed) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                changed.accept(objectName.apply(object), null);
            }

            @Override
            public void onUpdate(T old, T object) {
                changed.accept(objectName.apply(object), null);
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                changed.accept(objectName.apply(object),
                        object instanceof Deployment ? object.getMetadata().getUid() : null);
            }
        };
    }

    /**
     * What was last seen of the Deployment with that uid and its pods. A Deployment of another uid
     * is one deleted since (its delete not seen yet) or not seen yet: either way not this one, nor
     * are the pods made before it, which a deleted one may leave terminating.
     */
    DeploymentBackend.Reported reported(String objectName, String uid) {
        Deployment deployment = deployments.getStore().getByKey(Cache.namespaceKeyFunc(namespace, objectName));
        if (deployment == null || uid != null && !uid.equals(deployment.getMetadata().getUid())) {
            return new DeploymentBackend.Reported(false, null);
        }
        String created = deployment.getMetadata().getCreationTimestamp();
        List<Pod> itsPods = pods.getStore().list().stream()
                .filter(p -> objectName.equals(p.getMetadata().getLabels().get(INSTANCE)))
                .filter(p -> created == null || p.getMetadata().getCreationTimestamp() == null
                        || p.getMetadata().getCreationTimestamp().compareTo(created) >= 0).toList();
        return RolloutStatus.of(deployment, itsPods);
    }

    @Override
    public void close() {
        deployments.close();
        pods.close();
    }
}
