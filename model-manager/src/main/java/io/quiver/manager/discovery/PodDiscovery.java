package io.quiver.manager.discovery;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quiver.common.error.ApiException;
import io.quiver.common.error.NotFoundException;
import io.quiver.manager.registry.Replica;
import io.quiver.manager.registry.ServiceRegistry;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jboss.logging.Logger;

/**
 * Keeps the registry's model-server pods in step with the Kubernetes API: a watch registers a pod
 * the moment it is ready and removes it the moment it is not (or is gone), and a resync every
 * discovery interval lists the pods again, reopens the watch if it closed, refreshes each ready
 * pod's models, and removes discovered services whose pod is not in the list (missed events,
 * entries the journal kept from before a restart). The pods are the only truth, so every manager
 * replica that watches them reaches the same registry without sharing a store.
 * <p>
 * Watch events and resyncs run one at a time, in order, on one thread: a resync's list and the
 * events after it are applied in the order the API server produced them, so a stale list cannot
 * bring back a pod an event already removed. Each task that throws is logged and the next still
 * runs; the resync is started by the scheduler, which skips a run while the last is still going.
 */
@ApplicationScoped
public class PodDiscovery {
    private static final Logger LOG = Logger.getLogger(PodDiscovery.class);

    private final DiscoveryConfig config;
    private final ServiceRegistry registry;
    private final Instance<KubernetesClient> clients;
    private final Vertx vertx;
    private final ObjectMapper json;
    private ExecutorService worker;
    private ModelListReader reader;
    private KubernetesClient client;
    private String namespace;
    private volatile Watch watch;
    /** The URL each registered pod was registered with, so an event for a pod already routed to costs no call. */
    private final Map<String, String> registered = new HashMap<>();

    PodDiscovery(DiscoveryConfig config, ServiceRegistry registry, Instance<KubernetesClient> clients, Vertx vertx,
                 ObjectMapper json) {
        this.config = config;
        this.registry = registry;
        this.clients = clients;
        this.vertx = vertx;
        this.json = json;
    }

    /** The client is built only when discovery is on: off Kubernetes nothing reads a kubeconfig. */
    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        client = clients.get();
        namespace = config.namespace().orElseGet(client::getNamespace);
        if (namespace == null) {
            namespace = "default";
        }
        reader = new ModelListReader(vertx, json, config);
        worker = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "quiver-pod-discovery");
            thread.setDaemon(true);
            return thread;
        });
        LOG.infof("discovering model-servers: pods labelled %s in namespace %s", config.labelSelector(), namespace);
        submit("the first resync", this::resyncNow);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (worker == null) {
            return;
        }
        Watch open = watch;
        if (open != null) {
            open.close();
        }
        worker.shutdownNow();
        reader.close();
    }

    @Scheduled(identity = "pod-discovery", every = "${quiver.manager.registry.discovery-interval}",
            delayed = "${quiver.manager.registry.discovery-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void resync() throws InterruptedException {
        if (worker == null) {
            return;
        }
        try {
            submit("a resync", this::resyncNow).get();
        } catch (ExecutionException e) {
            // submit's task logs its own failure; the next interval tries again.
        }
    }

    /** Whether the watch is open: a closed one is reopened by the next resync. */
    public boolean watching() {
        return watch != null;
    }

    private Future<?> submit(String what, Runnable task) {
        return worker.submit(() -> {
            try {
                task.run();
            } catch (KubernetesClientException e) {
                // The API server unreachable or refusing: its message says which, a stack trace would not.
                LOG.errorf("pod discovery: %s failed (%s); the next resync tries again", what, e.getMessage());
            } catch (RuntimeException e) {
                LOG.errorf(e, "pod discovery: %s failed; the next resync tries again", what);
            }
        });
    }

    private void resyncNow() {
        PodList pods = client.pods().inNamespace(namespace).withLabelSelector(config.labelSelector()).list();
        Map<String, DiscoveredPod> routable = new HashMap<>();
        for (Pod pod : pods.getItems()) {
            DiscoveredPod.routable(pod, config).ifPresent(p -> routable.put(p.serviceId(), p));
        }
        for (Replica replica : registry.all()) {
            if (replica.id().startsWith(DiscoveredPod.ID_PREFIX) && !routable.containsKey(replica.id())) {
                remove(replica.id(), "its pod is gone or not ready");
            }
        }
        registered.keySet().retainAll(routable.keySet());
        routable.values().forEach(this::register);
        if (watch == null) {
            openWatch(pods.getMetadata().getResourceVersion());
        }
    }

    /** From the list's version, so that nothing between the list and the watch is missed. */
    private void openWatch(String resourceVersion) {
        watch = client.pods().inNamespace(namespace).withLabelSelector(config.labelSelector())
                .watch(new ListOptionsBuilder().withResourceVersion(resourceVersion).build(), new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Pod pod) {
                        submit("a " + action + " event for pod " + pod.getMetadata().getName(), () -> apply(action, pod));
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                        watch = null;
                        LOG.warnf("pod discovery: the watch closed (%s); the next resync reopens it",
                                cause == null ? "by the server" : cause.getMessage());
                    }
                });
    }

    private void apply(Watcher.Action action, Pod pod) {
        String id = DiscoveredPod.serviceId(pod);
        Optional<DiscoveredPod> routable = action == Watcher.Action.DELETED ? Optional.empty()
                : DiscoveredPod.routable(pod, config);
        if (routable.isEmpty()) {
            remove(id, action == Watcher.Action.DELETED ? "its pod was deleted" : "its pod is not ready");
        } else if (!routable.get().url().equals(registered.get(id))) {
            register(routable.get());
        }
    }

    /** Registers a pod with the models it lists now; a pod that cannot say is left for the next resync. */
    private void register(DiscoveredPod pod) {
        try {
            boolean added = registry.register(reader.registration(pod).toRecord(Instant.now()));
            registered.put(pod.serviceId(), pod.url());
            if (added) {
                LOG.infof("pod discovery: routing to %s at %s", pod.serviceId(), pod.url());
            }
        } catch (IOException | ApiException e) {
            LOG.warnf("pod discovery: cannot read the models of %s at %s (%s); it gets no traffic until it can",
                    pod.serviceId(), pod.url(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void remove(String id, String why) {
        registered.remove(id);
        try {
            registry.remove(id);
            LOG.infof("pod discovery: no longer routing to %s: %s", id, why);
        } catch (NotFoundException e) {
            // Never registered (it was not ready yet), or removed already.
        }
    }
}
