package io.quiver.manager.deployments;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quiver.common.concurrent.DaemonTimer;
import io.quiver.common.error.ApiException;
import io.quiver.common.error.NotFoundException;
import io.quiver.common.error.UnprocessableException;
import io.quiver.manager.config.ManagerConfig;
import io.quiver.manager.discovery.DiscoveryConfig;
import io.quiver.manager.deployments.Deployment.State;
import io.quiver.manager.deployments.DeploymentMessages.DeploymentView;
import io.quiver.manager.registry.ServiceRecord;
import io.quiver.manager.registry.ServiceRegistry;
import io.quiver.manager.routing.Forwarder;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Deploys model versions as model-servers of their own, keeps them running and forgets none: each
 * is registered with the registry (its model name as its type, itself as the one replica), its
 * process recorded in the store, a crash restarted with growing pauses up to the limit, and after
 * a manager restart those still running and ready are adopted while the rest are stopped.
 */
@Singleton
public class Deployments {
    private static final Logger LOG = Logger.getLogger(Deployments.class);

    private final DeploymentsConfig config;
    private final ModelRegistrySource source;
    private final DeploymentBackend backend;
    private final ServiceRegistry registry;
    private final Readiness readiness;
    private final Map<DeploymentName, Deployment> deployments = new ConcurrentHashMap<>();
    private final ScheduledExecutorService restartTimer = DaemonTimer.named("deployment-restarts");
    private final ExecutorService restarts = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "deployment-restart");
        thread.setDaemon(true);
        return thread;
    });

    Deployments(DeploymentsConfig config, ManagerConfig manager, ServiceRegistry registry, Forwarder forwarder,
                ModelRegistrySource source, DiscoveryConfig discovery,
                jakarta.enterprise.inject.Instance<KubernetesClient> kubernetes) {
        this.config = config;
        this.registry = registry;
        Path dataDir = manager.registry().dataDir();
        this.source = source;
        this.backend = backend(config, dataDir, discovery, kubernetes);
        this.readiness = new Readiness(forwarder, backend, config.readyTimeout());
    }

    /** The Kubernetes client is built only for the Kubernetes backend: the local one reads no kubeconfig. */
    private static DeploymentBackend backend(DeploymentsConfig config, Path dataDir, DiscoveryConfig discovery,
                                             jakarta.enterprise.inject.Instance<KubernetesClient> kubernetes) {
        return switch (config.backend()) {
            case LOCAL -> new LocalProcessBackend(config, config.logDir().orElse(dataDir.resolve("deployment-logs")),
                    new DeploymentStore(dataDir));
            // Its pods carry the labels discovery selects by, so discovery routes to them too.
            case KUBERNETES -> new KubernetesBackend(config, kubernetes.get(), discovery.labelSelector());
        };
    }

    public ModelRegistrySource source() {
        return source;
    }

    /** A deployment, and whether this call made it (false: it was running already). */
    public record Deployed(DeploymentView deployment, boolean created) {
    }

    /**
     * Deploys {@code model} version {@code version} and returns once it answers ready, or has failed.
     * A second call for a running deployment returns it as it is.
     */
    public Deployed deploy(String model, String version) {
        DeploymentName name = new DeploymentName(model, version);
        ModelRegistrySource.ModelLocation location = source.locate(model, version);
        while (true) {
            Deployment deployment = deployments.computeIfAbsent(name, n -> new Deployment(n, location));
            synchronized (deployment) {
                if (deployment.state == State.UNDEPLOYED) {
                    continue; // Undeployed while this call waited: deploy anew.
                }
                if (deployment.instance != null || deployment.state == State.RESTARTING) {
                    return new Deployed(view(deployment), false);
                }
                deployment.restarts = 0;
                deployment.crashesInARow = 0;
                deployment.reason = null;
                deployment.state = State.STARTING;
                try {
                    deployment.port = backend.reserve(name);
                    String failure = launch(deployment);
                    if (failure != null) {
                        throw new UnprocessableException(name + " failed: " + failure);
                    }
                } catch (RuntimeException e) {
                    if (deployment.state == State.STARTING) {
                        // Refused before anything started (no port, no jar): nothing to list.
                        backend.release(name);
                        deployment.state = State.UNDEPLOYED;
                        deployments.remove(name, deployment);
                    }
                    throw e;
                }
                return new Deployed(view(deployment), true);
            }
        }
    }

    public List<DeploymentView> list() {
        return deployments.values().stream().sorted(Comparator.comparing(d -> d.name.toString()))
                .map(this::view).toList();
    }

    Optional<Deployment> find(DeploymentName name) {
        return Optional.ofNullable(deployments.get(name));
    }

    /** The registered replica of a running deployment, for forwarding. */
    String serviceId(DeploymentName name) {
        return name.toString();
    }

    /** Stops the deployment's model-server, forgets it and frees its port. */
    public DeploymentView undeploy(DeploymentName name) {
        Deployment deployment = deployments.get(name);
        if (deployment == null) {
            throw new NotFoundException("no deployment '" + name + "'; GET /get_deployed_models lists them");
        }
        synchronized (deployment) {
            deployment.stopping = true;
            deregister(deployment);
            DeploymentBackend.Instance instance = deployment.instance;
            if (instance != null) {
                backend.stop(instance);
            }
            deployment.instance = null;
            backend.release(name);
            deployment.state = State.UNDEPLOYED;
            deployments.remove(name, deployment);
            persist();
            LOG.infof("undeployed %s", name);
            return view(deployment);
        }
    }

    /**
     * Starts the model-server on the deployment's port and waits until it is ready; the caller holds
     * the deployment's monitor. Returns null when it serves, else why not, with the port freed.
     */
    private String launch(Deployment deployment) {
        String failure = startAndAwaitReady(deployment);
        if (failure != null) {
            fail(deployment, failure);
        }
        return failure;
    }

    /** Null once the new process serves; else why not, with that process stopped. */
    private String startAndAwaitReady(Deployment deployment) {
        DeploymentBackend.Instance instance = backend.start(deployment.name, deployment.location, deployment.port);
        deployment.instance = instance;
        deployment.startedAt = Instant.now();
        persist();
        String failure = readiness.awaitReady(deployment.name, instance);
        if (failure == null) {
            serving(deployment, instance);
            return null;
        }
        backend.stop(instance);
        deployment.instance = null;
        return failure;
    }

    /** A ready model-server: registered, listed as running, recorded, and watched for a crash. */
    private void serving(Deployment deployment, DeploymentBackend.Instance instance) {
        register(deployment, instance);
        deployment.state = State.RUNNING;
        deployment.reason = null;
        persist();
        instance.onExit().thenRunAsync(() -> exited(deployment, instance), restarts);
    }

    private void fail(Deployment deployment, String reason) {
        LOG.warnf("deployment %s failed: %s", deployment.name, reason);
        deployment.instance = null;
        deployment.state = State.FAILED;
        deployment.reason = reason;
        deregister(deployment);
        backend.release(deployment.name);
        deployment.port = 0;
        persist();
    }

    private void exited(Deployment deployment, DeploymentBackend.Instance instance) {
        synchronized (deployment) {
            if (deployment.instance != instance || deployment.stopping) {
                return;
            }
            // The state first: a reader that sees no process must not also see "running".
            deployment.state = State.RESTARTING;
            deployment.instance = null;
            // Registered afresh once the new process is ready: the replica's health and breaker
            // then start from its restart, not from the failures of the process that died.
            deregister(deployment);
            // A platform that says why (Kubernetes: a crash loop, a rollout past its deadline) is believed first.
            String why = instance.reported().map(DeploymentBackend.Reported::failure).filter(Objects::nonNull)
                    .orElseGet(() -> "the model-server exited; " + readiness.logTail(deployment.name));
            crashed(deployment, why);
        }
    }

    /** After a crash, under the deployment's monitor: another start after a pause, or failed past the limit. */
    private void crashed(Deployment deployment, String why) {
        boolean stable = Duration.between(deployment.startedAt, Instant.now()).compareTo(config.stableAfter()) >= 0;
        deployment.crashesInARow = stable ? 1 : deployment.crashesInARow + 1;
        if (deployment.crashesInARow > config.restartLimit()) {
            fail(deployment, "crashed " + deployment.crashesInARow + " times in a row, more than the restart limit of "
                    + config.restartLimit() + "; last: " + why);
            return;
        }
        long delay = config.restartBackoff().toMillis() << Math.min(deployment.crashesInARow - 1, 16);
        LOG.warnf("deployment %s: %s; restarting in %d ms", deployment.name, why, delay);
        deployment.state = State.RESTARTING;
        deployment.reason = why;
        persist();
        restartTimer.schedule(() -> restarts.execute(() -> restart(deployment)), delay, TimeUnit.MILLISECONDS);
    }

    private void restart(Deployment deployment) {
        synchronized (deployment) {
            if (deployment.stopping || deployment.state != State.RESTARTING) {
                return;
            }
            deployment.restarts++;
            try {
                String failure = startAndAwaitReady(deployment);
                if (failure == null) {
                    LOG.infof("deployment %s restarted at %s", deployment.name, deployment.instance.url());
                } else {
                    crashed(deployment, failure);
                }
            } catch (RuntimeException e) {
                LOG.errorf(e, "restarting %s failed", deployment.name);
                deployment.instance = null;
                crashed(deployment, "restarting failed: " + e.getMessage());
            }
        }
    }

    private void register(Deployment deployment, DeploymentBackend.Instance instance) {
        String model = deployment.name.model();
        registry.registerOwn(new ServiceRecord(serviceId(deployment.name), instance.url(), model, List.of(model),
                List.of("prediction"), List.of(new ServiceRecord.ServedModel(model, deployment.name.version(), model)),
                null, null, null, null, Instant.now(), instance.grpcUrl()));
    }

    private void deregister(Deployment deployment) {
        try {
            registry.remove(serviceId(deployment.name));
        } catch (NotFoundException e) {
            // Never registered (it failed before it was ready) or removed by hand.
        }
    }

    private DeploymentView view(Deployment deployment) {
        return deployment.view(backend.logOf(deployment.name));
    }

    /** Records every deployment that has a model-server, so that none is lost to a crash of the manager. */
    private synchronized void persist() {
        List<StoredDeployment> live = new ArrayList<>();
        for (Deployment deployment : deployments.values()) {
            DeploymentBackend.Instance instance = deployment.instance;
            if (instance != null && deployment.state != State.UNDEPLOYED) {
                live.add(new StoredDeployment(deployment.name.model(), deployment.name.version(), deployment.port,
                        instance.pid(), instance.grpcPort()));
            }
        }
        backend.record(live);
    }

    /**
     * Takes over the deployments a previous run recorded: those whose process still runs as that
     * deployment and answers ready are registered again and watched; those the platform reports as
     * still starting (a Kubernetes rollout) are awaited as a deployment is; the others are stopped,
     * their registrations removed, and they are forgotten.
     */
    void onStart(@Observes StartupEvent event) {
        List<StoredDeployment> stored;
        try {
            stored = backend.recorded();
        } catch (ApiException e) {
            // The manager still routes; what it did not adopt is deployed afresh (or found) on the next deploy.
            LOG.errorf("cannot find the deployments to adopt: %s", e.getMessage());
            return;
        }
        int adopted = 0;
        for (StoredDeployment record : stored) {
            DeploymentName name;
            try {
                name = record.name();
            } catch (ApiException e) {
                LOG.warnf("ignoring a stored deployment with an invalid name: %s", e.getMessage());
                continue;
            }
            Optional<DeploymentBackend.Instance> instance = backend.adopt(record);
            Deployment deployment = new Deployment(name,
                    source.placement(name.model(), name.version()));
            if (instance.isPresent() && readiness.serving(instance.get())) {
                deployment.instance = instance.get();
                deployment.port = record.port();
                deployments.put(name, deployment);
                serving(deployment, instance.get());
                adopted++;
                LOG.infof("adopted deployment %s at %s", name, instance.get().url());
            } else if (instance.isPresent() && readiness.starting(instance.get())) {
                deployment.instance = instance.get();
                deployment.port = record.port();
                deployments.put(name, deployment);
                restarts.execute(() -> awaitAdopted(deployment, instance.get()));
                adopted++;
                LOG.infof("adopted deployment %s at %s, still starting", name, instance.get().url());
            } else {
                instance.ifPresent(backend::stop);
                backend.release(name);
                deregister(deployment);
                LOG.infof("deployment %s (pid %d) no longer runs or answers; cleaned up", name, record.pid());
            }
        }
        persist();
        if (!stored.isEmpty()) {
            LOG.infof("deployments: %d of %d recorded adopted", adopted, stored.size());
        }
    }

    /** An adopted deployment that was still starting: serving once ready, failed (and stopped) if it is not. */
    private void awaitAdopted(Deployment deployment, DeploymentBackend.Instance instance) {
        synchronized (deployment) {
            if (deployment.stopping || deployment.instance != instance) {
                return;
            }
            String failure = readiness.awaitReady(deployment.name, instance);
            if (failure == null) {
                serving(deployment, instance);
            } else {
                backend.stop(instance);
                fail(deployment, failure);
            }
        }
    }

    /**
     * Hands the deployments' model-servers to the backend as the manager stops: local processes are
     * stopped, so none is left behind (their records stay, and the next start finds them stopped
     * and forgets them); Kubernetes deployments go on serving, for the next manager to adopt.
     */
    void onStop(@Observes ShutdownEvent event) {
        List<DeploymentBackend.Instance> running = new ArrayList<>();
        for (Deployment deployment : deployments.values()) {
            deployment.stopping = true;
            DeploymentBackend.Instance instance = deployment.instance;
            if (instance != null) {
                running.add(instance);
            }
        }
        backend.managerStopping(running);
        restartTimer.shutdownNow();
        restarts.shutdownNow();
    }
}
