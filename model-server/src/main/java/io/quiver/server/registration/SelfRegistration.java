package io.quiver.server.registration;

import io.quiver.common.concurrent.DaemonTimer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.HttpServer;
import io.quiver.server.config.ServerConfig;
import io.quiver.server.serving.ModelInfo;
import io.quiver.server.serving.ModelLoading;
import io.quiver.server.serving.ModelRegistry;
import io.quiver.server.serving.ModelSlot;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Registers this server with the model-manager named by {@code quiver.manager.url} and keeps it
 * registered ({@link RegistrationLoop}), and deregisters on graceful shutdown. The calls run on one
 * daemon thread, so a slow or absent manager never holds up serving; without a manager URL no thread
 * is started at all.
 */
@ApplicationScoped
public class SelfRegistration {
    static final String THREAD_NAME = "quiver-registration";
    /** Shutdown waits at most this long for the deregistration, so a dead manager cannot delay it. */
    static final Duration SHUTDOWN_BUDGET = Duration.ofSeconds(2);
    private static final Logger LOG = Logger.getLogger(SelfRegistration.class);
    private static final int POLLS_BEFORE_PORT_WARNING = 100;

    private final ServerConfig config;
    private final ModelRegistry registry;
    private final ModelLoading loading;
    private final HttpServer httpServer;

    private ScheduledExecutorService scheduler;
    private ManagerClient manager;
    private RegistrationLoop loop;
    private int pollsWithoutPort;

    SelfRegistration(ServerConfig config, ModelRegistry registry, ModelLoading loading, HttpServer httpServer) {
        this.config = config;
        this.registry = registry;
        this.loading = loading;
        this.httpServer = httpServer;
    }

    void onStart(@Observes StartupEvent event) {
        start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    synchronized void start() {
        if (config.manager().url().isEmpty()) {
            return;
        }
        URI url = config.manager().url().get();
        Duration interval = config.registration().heartbeatInterval();
        if (!"http".equalsIgnoreCase(url.getScheme()) && !"https".equalsIgnoreCase(url.getScheme())) {
            throw new IllegalArgumentException("quiver.manager.url must be an http(s) URL, got " + url);
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("quiver.registration.heartbeat-interval must be positive, got " + interval);
        }
        // A call may take up to one interval (a heartbeat later than that is late anyway), but never
        // less than the shutdown budget, so that a slow but working manager is not given up on too soon.
        manager = new ManagerClient(url, interval.compareTo(SHUTDOWN_BUDGET) > 0 ? interval : SHUTDOWN_BUDGET,
                config.manager().token().orElse(null));
        scheduler = DaemonTimer.named(THREAD_NAME);
        loop = new RegistrationLoop(manager, config.registration(), this::identityOnceReady, this::loadedModels, scheduler);
        loop.start();
    }

    /** Whether the registration thread is running. */
    synchronized boolean running() {
        return scheduler != null && !scheduler.isShutdown();
    }

    /** Stops heartbeats and deregisters; once only, however often shutdown is signalled. */
    synchronized void stop() {
        if (scheduler == null || scheduler.isShutdown()) {
            return;
        }
        long deadline = System.nanoTime() + SHUTDOWN_BUDGET.toNanos();
        scheduler.shutdownNow();
        try {
            // Let a call in flight end first, so that no heartbeat can reach the manager after the delete.
            scheduler.awaitTermination(SHUTDOWN_BUDGET.toMillis() / 4, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ServiceIdentity identity = loop.identity();
        if (loop.mayBeRegistered() && identity != null) {
            deregister(identity.serviceId(), Duration.ofNanos(deadline - System.nanoTime()));
        }
    }

    private void deregister(String serviceId, Duration within) {
        String lease = ServiceDescription.leaseSeconds(config.registration().heartbeatInterval()) + " s";
        if (within.isNegative() || within.isZero()) {
            LOG.warnf("no time left to deregister %s; the model-manager drops it after its lease of %s", serviceId, lease);
            return;
        }
        try {
            ManagerClient.Answer answer = manager.deregister(serviceId, within);
            LOG.infof("deregistered %s from the model-manager at %s (%s)", serviceId, manager.url(), answer);
        } catch (IOException e) {
            LOG.warnf("could not deregister %s from the model-manager at %s (%s); it drops it after its lease of %s",
                    serviceId, manager.url(), e, lease);
        }
    }

    /**
     * The identity, once startup loading is done (so that the first registration lists the models)
     * and, when the defaults need it, the HTTP port is bound; null until then.
     */
    private ServiceIdentity identityOnceReady() {
        if (!loading.startupDone()) {
            return null;
        }
        int port = 0;
        if (ServiceIdentity.needsPort(config.registration())) {
            port = httpServer.getPort();
            if (port <= 0) {
                if (++pollsWithoutPort == POLLS_BEFORE_PORT_WARNING) {
                    LOG.warn("the HTTP port is still unknown, so registration waits; if plain HTTP is disabled, "
                            + "set quiver.registration.service-id and quiver.registration.advertised-url");
                }
                return null;
            }
        }
        return ServiceIdentity.of(config.registration(), port).withGrpcPort(config.grpc().ownPort());
    }

    private List<ModelInfo> loadedModels() {
        return registry.slots().stream().map(ModelSlot::info).toList();
    }
}
