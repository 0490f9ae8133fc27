package io.quiver.manager.dashboard;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.scheduler.Scheduled;
import io.quiver.common.error.NotFoundException;
import io.quiver.common.training.TrainingMessages;
import io.quiver.manager.config.ManagerConfig;
import io.quiver.manager.registry.Replica;
import io.quiver.manager.registry.ServiceRegistry;
import io.quiver.manager.registry.ServiceRemoved;
import io.quiver.manager.routing.Forwarder;
import io.quiver.manager.routing.Upstream;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each replica says it holds, read from the replica itself each health-check interval: its
 * model versions with residency and size ({@code GET /v1/models}) and, for trainers, its training
 * jobs ({@code GET /train}). The registry knows only what a service registered; residency and
 * progress change under it. Read in the background, not when the page asks, so a slow replica never
 * slows the dashboard; and only while someone has looked at the dashboard within {@link #WATCHED},
 * so a manager nobody watches sends its replicas nothing but health checks.
 */
@ApplicationScoped
// The trainers' job listings are read into, and shown as, common's shapes, which no resource here returns.
@RegisterForReflection(targets = {TrainingMessages.JobList.class, TrainingMessages.Job.class})
public class ReplicaInventory {
    private final ServiceRegistry registry;
    private final Forwarder forwarder;
    private final long timeoutMillis;
    private final ObjectReader jobs;
    private final ObjectMapper json;
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    static final Duration WATCHED = Duration.ofMinutes(2);
    private volatile Instant lastWatched = Instant.MIN;

    /** A model version on one replica, as its listing shows it. */
    @RegisterForReflection
    public record ModelCopy(String name, String version, String modelType, boolean resident, long sizeBytes,
                            int inFlight) {
    }

    /**
     * The last reading of one replica; {@code error} says why it could not be read, the older figures
     * stay. {@code budgetBytes} is null for a replica whose listing gives no memory figures.
     */
    public record Held(Instant readAt, String error, List<ModelCopy> models, Long budgetBytes,
                       List<TrainingMessages.Job> jobs) {
        static final Held NONE = new Held(null, null, List.of(), null, List.of());

        Held failed(String why) {
            return new Held(readAt, why, models, budgetBytes, jobs);
        }

        Held withJobs(List<TrainingMessages.Job> listed) {
            return new Held(readAt, error, models, budgetBytes, listed);
        }
    }

    private record Listing(List<ModelCopy> models, Long budgetBytes) {
    }

    ReplicaInventory(ServiceRegistry registry, Forwarder forwarder, ManagerConfig config, ObjectMapper json) {
        this.registry = registry;
        this.forwarder = forwarder;
        this.timeoutMillis = config.health().timeout().toMillis();
        this.json = json;
        // The model-servers' job shape may gain fields before the manager does; what is shown is read anyway.
        this.jobs = json.readerFor(TrainingMessages.JobList.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** Someone is looking: keep the readings coming for a while. */
    public void watched() {
        lastWatched = Instant.now();
    }

    public Held of(String serviceId) {
        return held.getOrDefault(serviceId, Held.NONE);
    }

    @Scheduled(identity = "dashboard-inventory", every = "${quiver.manager.health.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void readAll() {
        if (lastWatched.plus(WATCHED).isBefore(Instant.now())) {
            return;
        }
        for (Replica replica : registry.all()) {
            read(replica);
        }
    }

    void forget(@Observes ServiceRemoved removed) {
        held.remove(removed.serviceId());
    }

    private void read(Replica replica) {
        String url = replica.record().serviceUrl();
        String id = replica.id();
        forwarder.send(url, HttpMethod.GET, "/v1/models", "dashboard-models", null, null, timeoutMillis)
                .whenComplete((answer, failure) -> {
                    Held before = of(id);
                    try {
                        Listing listing = listing(answered(answer, failure, "/v1/models"));
                        store(id, new Held(Instant.now(), null, listing.models(), listing.budgetBytes(), before.jobs()));
                    } catch (IOException e) {
                        store(id, before.failed(e.getMessage()));
                    }
                });
        if (replica.record().can("training")) {
            forwarder.send(url, HttpMethod.GET, "/train", "dashboard-jobs", null, null, timeoutMillis)
                    .whenComplete((answer, failure) -> {
                        Held before = of(id);
                        try {
                            TrainingMessages.JobList list = jobs.readValue(answered(answer, failure, "/train"));
                            store(id, before.withJobs(List.copyOf(list.jobs())));
                        } catch (IOException e) {
                            // A trainer that lists no jobs (an older one, or one that is not a model-server) shows none.
                            store(id, before.withJobs(List.of()));
                        }
                    });
        }
    }

    /** Kept only while the service is registered, so a removal racing a reading leaves nothing behind. */
    private void store(String id, Held reading) {
        try {
            registry.require(id);
            held.put(id, reading);
        } catch (NotFoundException gone) {
            held.remove(id);
        }
    }

    private static byte[] answered(Upstream answer, Throwable failure, String path) throws IOException {
        if (failure != null) {
            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
            throw new IOException("GET " + path + " failed: " + Optional.ofNullable(cause.getMessage())
                    .orElse(cause.getClass().getSimpleName()));
        }
        if (answer.status() != 200) {
            throw new IOException("GET " + path + " answered HTTP " + answer.status());
        }
        return answer.body();
    }

    private Listing listing(byte[] body) throws IOException {
        JsonNode root = json.readTree(body);
        JsonNode listing = root.path("models");
        if (!listing.isArray()) {
            throw new IOException("GET /v1/models answered no \"models\" array");
        }
        List<ModelCopy> models = new ArrayList<>();
        for (JsonNode model : listing) {
            models.add(new ModelCopy(model.path("name").asText(), model.path("version").asText(null),
                    model.path("model_type").asText(null), model.path("resident").asBoolean(true),
                    model.path("size_bytes").asLong(), model.path("in_flight").asInt()));
        }
        JsonNode budget = root.path("memory").path("budget_bytes");
        return new Listing(models, budget.canConvertToLong() ? budget.asLong() : null);
    }
}
