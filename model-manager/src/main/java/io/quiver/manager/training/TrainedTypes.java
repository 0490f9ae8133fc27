package io.quiver.manager.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.scheduler.Scheduled;
import io.quiver.common.error.NotFoundException;
import io.quiver.manager.config.ManagerConfig;
import io.quiver.manager.registry.Replica;
import io.quiver.manager.registry.ServiceRecord;
import io.quiver.manager.registry.ServiceRegistry;
import io.quiver.manager.routing.Forwarder;
import io.quiver.manager.routing.Upstream;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Follows the training jobs the manager submitted until they end, each health-check interval, and
 * tells the registry the type a job published on its trainer. A self-registered model-server
 * reports its new model in its next heartbeat anyway; one registered by hand never would, and
 * {@code /predict} for the type it trained would find no service.
 */
@ApplicationScoped
public class TrainedTypes {
    private static final Logger LOG = Logger.getLogger(TrainedTypes.class);
    /** Jobs followed at once; beyond it the oldest are left to heartbeats, as a cache would. */
    private static final int FOLLOWED = 10_000;
    private static final Set<String> ENDED = Set.of("failed", "cancelled");

    private final ServiceRegistry registry;
    private final Forwarder forwarder;
    private final long timeoutMillis;
    private final Map<String, Job> running = new ConcurrentHashMap<>();
    private final ObjectMapper json;

    private record Job(String id, String serviceId, String modelType) {
    }

    TrainedTypes(ServiceRegistry registry, Forwarder forwarder, ManagerConfig config, ObjectMapper json) {
        this.json = json;
        this.registry = registry;
        this.forwarder = forwarder;
        this.timeoutMillis = config.health().timeout().toMillis();
    }

    void follow(String jobId, String serviceId, String modelType) {
        if (running.size() < FOLLOWED) {
            running.put(jobId, new Job(jobId, serviceId, modelType));
        }
    }

    @Scheduled(identity = "trained-types", every = "${quiver.manager.health.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        for (Job job : running.values()) {
            Replica trainer;
            try {
                trainer = registry.require(job.serviceId());
            } catch (NotFoundException e) {
                running.remove(job.id());
                continue;
            }
            forwarder.send(trainer.record().serviceUrl(), HttpMethod.GET, "/train/" + job.id(),
                            "trained-types-" + job.id(), null, null, timeoutMillis)
                    .whenComplete((answer, failure) -> {
                        if (failure == null) {
                            seen(job, answer);
                        }
                    });
        }
    }

    /** Takes what a job's status says: published (learn its type), ended otherwise, or still going. */
    private void seen(Job job, Upstream answer) {
        if (answer.status() == 404) {
            running.remove(job.id());
            return;
        }
        if (answer.status() != 200) {
            return;
        }
        JsonNode status;
        try {
            status = json.readTree(answer.body());
        } catch (IOException e) {
            LOG.warnf("service %s answered the status of job %s with no JSON: %s", job.serviceId(), job.id(),
                    e.getMessage());
            running.remove(job.id());
            return;
        }
        String state = status.path("state").asText();
        if (state.equals("succeeded")) {
            running.remove(job.id());
            String version = status.path("version").asText(null);
            registry.learn(job.serviceId(), new ServiceRecord.ServedModel(job.modelType(), version, job.modelType()));
        } else if (ENDED.contains(state)) {
            running.remove(job.id());
        }
    }
}
