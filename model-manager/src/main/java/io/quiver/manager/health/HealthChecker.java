package io.quiver.manager.health;

import io.quiver.common.concurrent.DaemonTimer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quiver.manager.config.ManagerConfig;
import io.quiver.manager.registry.Replica;
import io.quiver.manager.registry.ServiceRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Checks every registered service each interval with {@code GET <service_url>/ready}, asynchronously
 * and with a timeout, so that a hung service costs one timeout and a large registry does not hold a
 * thread per check. At most {@code max-concurrent-checks} run at once, and their answers are handled
 * on one thread of the checker's own, away from the event loops that carry requests: checking ten
 * thousand services makes a round longer, never the requests slower.
 */
@ApplicationScoped
public class HealthChecker {
    private static final Logger LOG = Logger.getLogger(HealthChecker.class);

    private final ServiceRegistry registry;
    private final ManagerConfig.Health config;
    /** Built at the first round, on the checker's thread: see {@link #checkAll}. */
    private HttpClient client;
    private final Semaphore running;
    private final int maxConcurrent;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();
    private final ScheduledExecutorService timer = DaemonTimer.named("health-checker");
    private final ExecutorService answers = DaemonTimer.named("health-check-answers");

    HealthChecker(ServiceRegistry registry, ManagerConfig config) {
        this.registry = registry;
        this.config = config.health();
        this.maxConcurrent = this.config.maxConcurrentChecks();
        this.running = new Semaphore(maxConcurrent);
    }

    void onStart(@Observes StartupEvent event) {
        long interval = config.interval().toMillis();
        timer.scheduleWithFixedDelay(this::checkAll, 0, interval, TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        timer.shutdownNow();
        answers.shutdownNow();
    }

    /** The most checks that were ever in flight at once; never above {@code max-concurrent-checks}. */
    public int peakConcurrentChecks() {
        return peakInFlight.get();
    }

    public int maxConcurrentChecks() {
        return maxConcurrent;
    }

    void checkAll() {
        if (client == null) {
            // Building a client sets up the JDK's TLS defaults, about a tenth of a second: on this
            // thread rather than in the constructor, which runs on the start-up's critical path.
            // Without an executor of its own the client would start a thread for every check in flight.
            client = HttpClient.newBuilder().connectTimeout(config.timeout()).executor(answers)
                    .version(HttpClient.Version.HTTP_1_1).build();
        }
        for (Replica replica : registry.all()) {
            try {
                running.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            check(replica);
        }
    }

    private void check(Replica replica) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(replica.record().serviceUrl() + "/ready"))
                    .timeout(config.timeout()).GET().build();
        } catch (IllegalArgumentException e) {
            replica.health().checkFailed("bad URL: " + e.getMessage());
            running.release();
            return;
        }
        boolean wasAvailable = replica.health().available();
        peakInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
            inFlight.decrementAndGet();
            running.release();
            if (failure == null && response.statusCode() == 200) {
                replica.health().checkPassed();
            } else {
                replica.health().checkFailed(failure != null
                        ? "health check failed: " + describe(failure)
                        : "health check answered HTTP " + response.statusCode());
            }
            boolean available = replica.health().available();
            if (available != wasAvailable) {
                LOG.infof("service %s is now %s", replica.id(), replica.health().state().name().toLowerCase());
            }
        });
    }

    static String describe(Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof java.net.http.HttpTimeoutException) {
            return "timed out";
        }
        if (cause instanceof java.net.ConnectException) {
            return "connection refused";
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

}
