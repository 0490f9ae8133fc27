package io.quiver.manager.health;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.quiver.manager.config.ManagerConfig;
import io.quiver.manager.registry.Replica;
import io.quiver.manager.registry.ServiceRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Checks every registered service each interval with {@code GET <service_url>/ready}, asynchronously
 * and with a timeout, so that a hung service costs one timeout and a large registry does not hold a
 * thread per check. At most {@code max-concurrent-checks} run at once: checking ten thousand
 * services makes a round longer, never the requests slower. The checks go over Vert.x, the client
 * the manager forwards with; an answer costs its event loop a few field updates.
 * <p>
 * Rounds run on the scheduler, one at a time: a round that throws is logged and the next one still
 * comes, and each check gives its permit back however it ends, even when it could not be sent.
 */
@ApplicationScoped
public class HealthChecker {
    private static final Logger LOG = Logger.getLogger(HealthChecker.class);

    private final ServiceRegistry registry;
    private final ManagerConfig.Health config;
    private final Vertx vertx;
    /** Built at the first round, off the start-up's critical path. */
    private volatile HttpClient client;
    private final Semaphore running;
    private final int maxConcurrent;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();
    /** Sends one check and yields the status it got; tests put a failing one in its place. */
    private volatile Function<Replica, Future<Integer>> probe = this::ready;

    HealthChecker(ServiceRegistry registry, ManagerConfig config, Vertx vertx) {
        this.registry = registry;
        this.config = config.health();
        this.vertx = vertx;
        this.maxConcurrent = this.config.maxConcurrentChecks();
        this.running = new Semaphore(maxConcurrent);
    }

    void onStop(@Observes ShutdownEvent event) {
        HttpClient built = client;
        if (built != null) {
            built.close();
        }
    }

    /** The most checks that were ever in flight at once; never above {@code max-concurrent-checks}. */
    public int peakConcurrentChecks() {
        return peakInFlight.get();
    }

    public int maxConcurrentChecks() {
        return maxConcurrent;
    }

    @Scheduled(identity = "health-checks", every = "${quiver.manager.health.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void checkAll() throws InterruptedException {
        for (Replica replica : registry.all()) {
            running.acquire();
            check(replica);
        }
    }

    void probe(Function<Replica, Future<Integer>> probe) {
        this.probe = probe;
    }

    private void check(Replica replica) {
        boolean wasAvailable = replica.health().available();
        peakInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        Future<Integer> sent;
        try {
            sent = probe.apply(replica);
        } catch (RuntimeException e) {
            sent = Future.failedFuture(e);
        }
        sent.onComplete(result -> {
            inFlight.decrementAndGet();
            running.release();
            if (result.succeeded() && result.result() == 200) {
                replica.health().checkPassed();
            } else {
                replica.health().checkFailed(result.failed()
                        ? "health check failed: " + describe(result.cause())
                        : "health check answered HTTP " + result.result());
            }
            boolean available = replica.health().available();
            if (available != wasAvailable) {
                LOG.infof("service %s is now %s", replica.id(), replica.health().state().name().toLowerCase());
            }
        });
    }

    private Future<Integer> ready(Replica replica) {
        URI base;
        try {
            base = URI.create(replica.record().serviceUrl());
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(new IllegalArgumentException("bad URL: " + e.getMessage()));
        }
        boolean ssl = "https".equalsIgnoreCase(base.getScheme());
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(base.getHost())
                .setPort(base.getPort() != -1 ? base.getPort() : ssl ? 443 : 80)
                .setSsl(ssl)
                .setURI((path.endsWith("/") ? path.substring(0, path.length() - 1) : path) + "/ready")
                .setTimeout(config.timeout().toMillis());
        return client().request(options)
                .compose(request -> request.send())
                // The body is read, not kept, so that the connection goes back to the pool.
                .compose(response -> response.body().map(body -> response.statusCode()));
    }

    private HttpClient client() {
        HttpClient built = client;
        if (built == null) {
            synchronized (this) {
                if (client == null) {
                    client = vertx.createHttpClient(new HttpClientOptions()
                            .setConnectTimeout((int) config.timeout().toMillis())
                            .setKeepAlive(true)
                            // Several services may share one address; the permits bound the total.
                            .setMaxPoolSize(maxConcurrent)
                            // A check every second per service is no request anyone follows in a trace.
                            .setTracingPolicy(TracingPolicy.IGNORE));
                }
                built = client;
            }
        }
        return built;
    }

    static String describe(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof TimeoutException) {
            return "timed out";
        }
        if (cause instanceof java.net.ConnectException) {
            return "connection refused";
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }
}
