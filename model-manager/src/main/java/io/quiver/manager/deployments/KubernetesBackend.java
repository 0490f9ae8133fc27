package io.quiver.manager.deployments;

import static io.quiver.manager.deployments.KubernetesObjects.MANAGED_BY;
import static io.quiver.manager.deployments.KubernetesObjects.MANAGER;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quiver.common.error.ApiException;
import io.quiver.common.error.BadGatewayException;
import java.net.HttpURLConnection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Deployments as Kubernetes objects, made and removed through the Kubernetes API: a Deployment of
 * one model-server pod and a ClusterIP Service per version ({@link KubernetesObjects}), reached at
 * {@code http://<name>.<namespace>.svc:<port>}. The cluster is the store: a restarted manager lists
 * the Deployments labelled as its own, and the manager stopping leaves them serving. Whether one
 * is ready or failed is what Kubernetes reports of its Deployment and pod ({@link KubernetesWatch}).
 */
final class KubernetesBackend implements DeploymentBackend {
    private static final Logger LOG = Logger.getLogger(KubernetesBackend.class);

    private final DeploymentsConfig config;
    private final KubernetesClient client;
    private final String namespace;
    private final Map<String, String> discoveryLabels;
    /** The instances handed out, by object name, to tell when Kubernetes removes or fails one. */
    private final Map<String, Placed> placed = new ConcurrentHashMap<>();
    private KubernetesWatch watch;

    KubernetesBackend(DeploymentsConfig config, KubernetesClient client, String discoverySelector) {
        this.config = config;
        this.client = client;
        this.namespace = config.kubernetes().namespace().or(() -> Optional.ofNullable(client.getNamespace()))
                .orElse("default");
        this.discoveryLabels = labelsOf(discoverySelector);
    }

    /**
     * The labels an equality-based selector asks for ({@code a=b,c==d}), which every pod carries so
     * that discovery finds it; set-based terms cannot be applied, and are left out.
     */
    static Map<String, String> labelsOf(String selector) {
        Map<String, String> labels = new LinkedHashMap<>();
        // Commas inside a set's parentheses ("env in (a,b)") do not end a term.
        for (String term : selector.split(",(?![^(]*\\))")) {
            term = term.trim();
            String[] parts = term.split("==?", 2);
            if (parts.length == 2 && !parts[0].endsWith("!") && !parts[0].isBlank()) {
                labels.put(parts[0].trim(), parts[1].trim());
            } else if (!term.isBlank()) {
                LOG.warnf("discovery's label selector term '%s' is not label=value; deployed pods do not carry it", term);
            }
        }
        return labels;
    }

    /** Nothing to reserve: every deployment's Service listens on the same port. */
    @Override
    public int reserve(DeploymentName name) {
        return config.kubernetes().servicePort();
    }

    @Override
    public void release(DeploymentName name) {
    }

    /**
     * Creates the Deployment and the Service, each unless it exists (then it is the one returned);
     * a Deployment Kubernetes reports failed is made anew, which is what a deploy or restart asks.
     */
    @Override
    public Instance start(DeploymentName name, ModelRegistrySource.ModelLocation location, int port) {
        String objectName = KubernetesObjects.objectName(name);
        Deployment deployment = call("read Deployment " + objectName,
                () -> client.apps().deployments().inNamespace(namespace).withName(objectName).get());
        watch();
        if (deployment != null && reported(objectName, deployment.getMetadata().getUid()).failure() != null) {
            delete(objectName);
            deployment = null;
        }
        if (deployment == null) {
            Deployment wanted = KubernetesObjects.deployment(name, location, config.kubernetes(), discoveryLabels,
                    config.readyTimeout());
            deployment = create("create Deployment " + objectName, () -> client.apps().deployments()
                    .inNamespace(namespace).resource(wanted).create(),
                    () -> client.apps().deployments().inNamespace(namespace).withName(objectName).get());
            LOG.infof("created Deployment %s/%s for %s (image %s)", namespace, objectName, name, config.kubernetes().image());
        }
        Deployment owner = deployment;
        Service service = call("read Service " + objectName,
                () -> client.services().inNamespace(namespace).withName(objectName).get());
        if (service != null && !ownedBy(service, owner)) {
            // Left by a Deployment deleted behind the manager's back: the cluster removes it with its owner.
            call("delete Service " + objectName,
                    () -> client.services().inNamespace(namespace).withName(objectName).delete());
            service = null;
        }
        if (service == null) {
            create("create Service " + objectName, () -> client.services().inNamespace(namespace)
                    .resource(KubernetesObjects.service(owner, port)).create(), () -> null);
        }
        return place(objectName, deployment.getMetadata().getUid(), port);
    }

    private static boolean ownedBy(Service service, Deployment deployment) {
        String uid = deployment.getMetadata().getUid();
        return uid == null || service.getMetadata().getOwnerReferences().stream().anyMatch(o -> uid.equals(o.getUid()));
    }

    @Override
    public Optional<Instance> adopt(StoredDeployment stored) {
        String objectName = KubernetesObjects.objectName(stored.name());
        Deployment deployment = call("read Deployment " + objectName,
                () -> client.apps().deployments().inNamespace(namespace).withName(objectName).get());
        if (deployment == null || !KubernetesObjects.nameOf(deployment).equals(Optional.of(stored.name()))) {
            return Optional.empty();
        }
        watch();
        return Optional.of(place(objectName, deployment.getMetadata().getUid(), stored.port()));
    }

    private Placed place(String objectName, String uid, int port) {
        Placed instance = new Placed(objectName, uid, "http://" + objectName + "." + namespace + ".svc:" + port, port);
        placed.put(objectName, instance);
        // What Kubernetes said before this instance was handed out counts too.
        changed(objectName, null);
        return instance;
    }

    /** Deletes the Service and the Deployment; Kubernetes then stops the pod, which nothing reaches any more. */
    @Override
    public void stop(Instance instance) {
        Placed gone = (Placed) instance;
        placed.remove(gone.objectName, gone);
        delete(gone.objectName);
        gone.exit.complete(null);
    }

    private void delete(String objectName) {
        call("delete Service " + objectName, () -> client.services().inNamespace(namespace).withName(objectName).delete());
        call("delete Deployment " + objectName,
                () -> client.apps().deployments().inNamespace(namespace).withName(objectName).delete());
        LOG.infof("deleted Deployment and Service %s/%s", namespace, objectName);
    }

    /** The cluster keeps the Deployments: nothing to write. */
    @Override
    public void record(List<StoredDeployment> running) {
    }

    /** The Deployments labelled as the manager's, whatever their state: the cluster is this backend's store. */
    @Override
    public List<StoredDeployment> recorded() {
        List<Deployment> deployments = call("list Deployments labelled " + MANAGED_BY + "=" + MANAGER,
                () -> client.apps().deployments().inNamespace(namespace).withLabel(MANAGED_BY, MANAGER).list().getItems());
        return deployments.stream().flatMap(d -> {
            try {
                return KubernetesObjects.nameOf(d).stream();
            } catch (ApiException e) {
                LOG.warnf("Deployment %s names no valid deployment: %s", d.getMetadata().getName(), e.getMessage());
                return Stream.empty();
            }
        }).map(n -> new StoredDeployment(n.model(), n.version(), config.kubernetes().servicePort(), 0,
                KubernetesObjects.GRPC_PORT)).toList();
    }

    /** The deployments go on serving; only the watches close. */
    @Override
    public synchronized void managerStopping(List<Instance> running) {
        if (watch != null) {
            watch.close();
        }
    }

    @Override
    public String logOf(DeploymentName name) {
        return "kubectl -n " + namespace + " logs deployment/" + KubernetesObjects.objectName(name);
    }

    /** Starts the informers on first use, so that a manager that deploys nothing watches nothing. */
    private synchronized void watch() {
        if (watch != null) {
            return;
        }
        try {
            watch = new KubernetesWatch(client, namespace, this::changed);
        } catch (KubernetesClientException e) {
            throw refused("watch Deployments and pods labelled " + MANAGED_BY + "=" + MANAGER, e);
        }
    }

    /**
     * An instance ends when its Deployment is deleted behind the manager's back or Kubernetes
     * reports it failed: the manager then does what it does when a process dies.
     */
    private void changed(String objectName, String deletedDeploymentUid) {
        Placed instance = objectName == null ? null : placed.get(objectName);
        if (instance == null) {
            return;
        }
        if (deletedDeploymentUid != null) {
            if (!deletedDeploymentUid.equals(instance.uid)) {
                return; // An earlier Deployment of that name.
            }
            instance.deleted = true;
            instance.exit.complete(null);
        } else if (reported(objectName, instance.uid).failure() != null) {
            instance.exit.complete(null);
        }
    }

    private Reported reported(String objectName, String uid) {
        KubernetesWatch seen;
        synchronized (this) {
            seen = watch;
        }
        // Not watching yet: called from the informers' first list, before the field is set.
        return seen == null ? new Reported(false, null) : seen.reported(objectName, uid);
    }

    private <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            throw refused(what, e);
        }
    }

    /** Creates, or when it exists already (another manager replica was faster) returns what {@code existing} reads. */
    private <T> T create(String what, Supplier<T> create, Supplier<T> existing) {
        try {
            return create.get();
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return call("read what exists after a conflict to " + what, existing);
            }
            throw refused(what, e);
        }
    }

    /**
     * A 502 naming the Kubernetes API, what was asked and its answer (the API server's status
     * message names the verb and resource refused, never a credential).
     */
    private BadGatewayException refused(String what, KubernetesClientException e) {
        String answer;
        if (e.getCode() > 0) {
            String message = e.getStatus() == null ? null : e.getStatus().getMessage();
            answer = "answered " + e.getCode() + (message == null || message.isBlank() ? "" : " (" + message + ")");
        } else {
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            answer = "could not be reached (" + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + ")";
        }
        String hint = e.getCode() == 401 || e.getCode() == 403
                ? "; the manager's service account needs the Role in deploy/k8s/base/service-accounts.yaml" : "";
        return new BadGatewayException("the Kubernetes API " + answer + " when asked to " + what + " in namespace "
                + namespace + hint);
    }

    /** A deployment's Service and the Deployment behind it, as the manager forwards to it. */
    private final class Placed implements Instance {
        final String objectName;
        /** The Deployment's, telling it from one of the same name made after it was deleted. */
        final String uid;
        final String url;
        final int port;
        final CompletableFuture<Void> exit = new CompletableFuture<>();
        volatile boolean deleted;

        Placed(String objectName, String uid, String url, int port) {
            this.objectName = objectName;
            this.uid = uid;
            this.url = url;
            this.port = port;
        }

        /** None: the pod's processes are the kubelet's. */
        @Override
        public long pid() {
            return 0;
        }

        @Override
        public String url() {
            return url;
        }

        @Override
        public int port() {
            return port;
        }

        /** The Service's gRPC port, in front of the model-server's default own gRPC port. */
        @Override
        public String grpcUrl() {
            return "http://" + objectName + "." + namespace + ".svc:" + KubernetesObjects.GRPC_PORT;
        }

        @Override
        public int grpcPort() {
            return KubernetesObjects.GRPC_PORT;
        }

        @Override
        public CompletableFuture<?> onExit() {
            return exit;
        }

        @Override
        public boolean alive() {
            return !deleted;
        }

        @Override
        public void kill() {
            stop(this);
        }

        @Override
        public Optional<Reported> reported() {
            if (deleted) {
                return Optional.of(new Reported(false, "its Deployment " + namespace + "/" + objectName + " was deleted"));
            }
            return Optional.of(KubernetesBackend.this.reported(objectName, uid));
        }
    }
}
