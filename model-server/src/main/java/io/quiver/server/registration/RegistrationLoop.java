package io.quiver.server.registration;

import io.quiver.server.config.ServerConfig;
import io.quiver.server.serving.ModelInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The calls to the model-manager, one at a time on one scheduler thread: register once the server
 * is ready, then heartbeat every interval with the models loaded at the time; register again when
 * the manager answers a heartbeat with 404 (it has forgotten this server, e.g. after its lease ran
 * out or it restarted); after a failure, retry with {@link FailureStreak}'s backoff.
 */
final class RegistrationLoop {
    private static final Logger LOG = Logger.getLogger(RegistrationLoop.class);
    /** How often to look again whether startup loading is done and the port known. */
    static final Duration READINESS_POLL = Duration.ofMillis(100);

    private final ManagerClient manager;
    private final ServerConfig.Registration settings;
    private final Supplier<ServiceIdentity> identityOnceReady;
    private final Supplier<List<ModelInfo>> loadedModels;
    private final ScheduledExecutorService scheduler;
    private final FailureStreak failures;

    private volatile ServiceIdentity identity;
    private volatile boolean registered;
    private volatile boolean registering;
    private ServiceDescription description;

    /** @param identityOnceReady answers null until the server is ready to register */
    RegistrationLoop(ManagerClient manager, ServerConfig.Registration settings, Supplier<ServiceIdentity> identityOnceReady,
                     Supplier<List<ModelInfo>> loadedModels, ScheduledExecutorService scheduler) {
        this.manager = manager;
        this.settings = settings;
        this.identityOnceReady = identityOnceReady;
        this.loadedModels = loadedModels;
        this.scheduler = scheduler;
        this.failures = new FailureStreak(settings.heartbeatInterval());
    }

    void start() {
        scheduler.execute(this::step);
    }

    /** The identity registered under, or null before the first attempt. */
    ServiceIdentity identity() {
        return identity;
    }

    /**
     * Whether the manager may hold a registration for this server: it accepted one, or a register
     * call was cut short and may have been recorded all the same.
     */
    boolean mayBeRegistered() {
        return registered || registering;
    }

    /** One call to the manager; it schedules the next, so calls never overlap. */
    private void step() {
        Duration next;
        try {
            next = registered ? heartbeat() : register();
        } catch (Throwable e) {
            // Whatever a call throws (an Error too), the next is scheduled: a task that throws is
            // dropped by the scheduler, which would end the registration for good without a word.
            if (scheduler.isShutdown()) {
                return; // the call was interrupted by shutdown, which is not a failure worth a warning
            }
            String what = registered ? heartbeatTo() : registrationWith();
            if (!(e instanceof IOException) && failures.failures() == 0) {
                LOG.errorf(e, "%s failed unexpectedly", what);
            }
            next = failures.failed(what, e.toString());
        }
        try {
            scheduler.schedule(this::step, next.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Shutting down.
        }
    }

    private Duration register() throws IOException {
        if (description == null) {
            ServiceIdentity ready = identityOnceReady.get();
            if (ready == null) {
                return READINESS_POLL;
            }
            identity = ready;
            description = new ServiceDescription(ready, settings);
        }
        ManagerClient.Answer answer;
        registering = true;
        try {
            answer = manager.register(description.registration(loadedModels.get()));
        } finally {
            registering = false;
        }
        if (!answer.succeeded()) {
            return failures.failed(registrationWith(), answer.toString());
        }
        registered = true;
        failures.succeeded(registrationWith());
        LOG.infof("registered as %s at %s with the model-manager at %s", identity.serviceId(), identity.serviceUrl(),
                manager.url());
        return settings.heartbeatInterval();
    }

    private Duration heartbeat() throws IOException {
        ManagerClient.Answer answer = manager.heartbeat(identity.serviceId(), description.heartbeat(loadedModels.get()));
        if (answer.status() == 404) {
            registered = false;
            failures.succeeded(heartbeatTo());
            LOG.infof("the model-manager no longer knows %s (its lease may have run out); registering again",
                    identity.serviceId());
            return Duration.ZERO;
        }
        if (!answer.succeeded()) {
            return failures.failed(heartbeatTo(), answer.toString());
        }
        failures.succeeded(heartbeatTo());
        return settings.heartbeatInterval();
    }

    private String registrationWith() {
        return "registration with the model-manager at " + manager.url();
    }

    private String heartbeatTo() {
        return "heartbeat to the model-manager at " + manager.url();
    }
}
