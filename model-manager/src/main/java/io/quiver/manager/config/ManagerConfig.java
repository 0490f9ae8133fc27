package io.quiver.manager.config;

import io.quiver.common.net.DestinationPolicy;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The model-manager's settings. The environment names of reference document 003 map onto them in
 * application.properties; docs/model-manager/configuration.md lists every one with its default.
 */
@ConfigMapping(prefix = "quiver.manager")
public interface ManagerConfig {

    Registry registry();

    Health health();

    Routing routing();

    Retry retry();

    Breaker breaker();

    Warmup warmup();

    interface Registry {
        /** Directory of the crash-safe registry journal. */
        @WithDefault("data")
        Path dataDir();

        /** A JSON file in the shape {@code {"services": {"id": {...}}}} loaded at start (SERVICES_FILE). */
        Optional<Path> servicesFile();

        /**
         * How often the services file is read again when it changed (SERVICE_DISCOVERY_INTERVAL).
         * Expired leases are swept every second, whatever this is.
         */
        @WithDefault("30s")
        Duration discoveryInterval();

        /**
         * Hosts a service_url may name: host names, {@code .domain} suffixes, addresses and blocks
         * such as {@code 10.0.0.0/8}. When absent, any host that is not denied.
         */
        Optional<List<String>> allowedHosts();

        /**
         * Hosts a service_url may not name, whatever is allowed: by default link-local addresses and
         * the cloud metadata endpoints. Add {@code 127.0.0.0/8,::1/128} to refuse loopback.
         */
        @WithDefault(DestinationPolicy.DEFAULT_DENIED)
        List<String> deniedHosts();
    }

    interface Health {
        /**
         * Time between active checks of each service (HEALTH_CHECK_INTERVAL), and between looks at
         * the training jobs the manager submitted, to route the types they publish.
         */
        @WithDefault("10s")
        Duration interval();

        /** How long a check may take before it counts as failed. */
        @WithDefault("2s")
        Duration timeout();

        /**
         * Checks in flight at once. A round over a large registry takes longer rather than holding
         * more sockets and threads, and a hung service costs one of these for the timeout.
         */
        @WithDefault("32")
        int maxConcurrentChecks();

        /** Consecutive failed checks that make a healthy service unhealthy. */
        @WithDefault("2")
        int unhealthyThreshold();

        /** Consecutive passed checks that make an unhealthy service healthy again. */
        @WithDefault("1")
        int healthyThreshold();

        /** Consecutive failed requests from live traffic that eject a service (outlier detection). */
        @WithDefault("3")
        int ejectAfterFailures();

        /** How long an ejected service gets no traffic, unless a health check passes sooner. */
        @WithDefault("30s")
        Duration ejectionTime();
    }

    interface Routing {
        /** {@code round_robin} or {@code least_requests} (LOAD_BALANCING_STRATEGY). */
        @WithDefault("round_robin")
        String strategy();

        /** Time a forwarded request may take when the service registered no timeout (SERVICE_TIMEOUT). */
        @WithDefault("30s")
        Duration defaultTimeout();

        /** In-flight requests per service when it registered no max_concurrent_requests. */
        @WithDefault("64")
        int defaultMaxConcurrentRequests();

        /** Largest request body forwarded. */
        @WithDefault("16M")
        io.quarkus.runtime.configuration.MemorySize maxRequestSize();
    }

    interface Retry {
        /** Attempts after the first, each on another service when there is one (MAX_RETRIES). */
        @WithDefault("3")
        int maxRetries();

        /** Pause before the second and later retries; the first retry goes at once (RETRY_DELAY). */
        @WithDefault("1s")
        Duration delay();

        /** Retries allowed per request sent, on average: 0.2 keeps retries under 20% extra load. */
        @WithDefault("0.2")
        double budgetRatio();

        /** Retries per second allowed whatever the traffic, so a quiet mesh can still retry. */
        @WithDefault("10")
        int budgetMinPerSecond();
    }

    interface Breaker {
        /** Requests in the rolling window the breaker judges. */
        @WithDefault("10")
        int requestVolumeThreshold();

        /** Share of failed requests in the window that opens the breaker. */
        @WithDefault("0.5")
        double failureRatio();

        /** How long the breaker stays open before letting a trial request through. */
        @WithDefault("5s")
        Duration delay();
    }

    interface Warmup {
        /**
         * How long the manager sends itself model traffic before it reports ready: V2 and
         * {@code /predict} requests through its own port, the access check and the forwarding,
         * to a stand-in replica that lives for that time only ({@code
         * io.quiver.manager.warmup.ManagerWarmup}). 0 turns it off.
         */
        @WithDefault("3s")
        Duration duration();
    }
}
