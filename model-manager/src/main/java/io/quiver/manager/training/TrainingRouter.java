package io.quiver.manager.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.common.error.ApiException;
import io.quiver.common.error.BadGatewayException;
import io.quiver.common.error.GatewayTimeoutException;
import io.quiver.common.error.NotFoundException;
import io.quiver.common.error.UnavailableException;
import io.quiver.manager.registry.Replica;
import io.quiver.manager.registry.ServiceRegistry;
import io.quiver.manager.routing.Dispatcher;
import io.quiver.manager.routing.Outbound;
import io.quiver.manager.routing.Routed;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Sends a training job to a service with the {@code training} capability that serves the type, or
 * to any trainer when none does (a new type is allowed), and finds the service of a job later.
 */
@ApplicationScoped
public class TrainingRouter {
    static final String CAPABILITY = "training";

    private final ServiceRegistry registry;
    private final Dispatcher dispatcher;
    private final JobLocations jobs;
    private final TrainedTypes trained;
    private final ObjectMapper json;

    TrainingRouter(ServiceRegistry registry, Dispatcher dispatcher, JobLocations jobs, TrainedTypes trained,
                   ObjectMapper json) {
        this.json = json;
        this.registry = registry;
        this.dispatcher = dispatcher;
        this.jobs = jobs;
        this.trained = trained;
    }

    public CompletionStage<Routed> submit(String type, byte[] body, String requestId) {
        List<Replica> trainers = registry.serving(type).stream().filter(r -> r.record().can(CAPABILITY)).toList();
        if (trainers.isEmpty()) {
            trainers = trainers();
        }
        if (trainers.isEmpty()) {
            throw new UnavailableException("no registered service has the 'training' capability", 5);
        }
        Outbound outbound = new Outbound(HttpMethod.POST, "/train", "application/json", body, requestId, false);
        return dispatcher.dispatch(type, trainers, outbound).thenApply(routed -> {
            jobId(routed).ifPresent(job -> {
                jobs.remember(job, routed.servedBy());
                trained.follow(job, routed.servedBy(), type);
            });
            return routed;
        });
    }

    /** Forwards a status request or a cancellation to the service running {@code job}. */
    public CompletionStage<Routed> forJob(String job, HttpMethod method, String requestId) {
        Outbound outbound = Outbound.withoutBody(method, "/train/" + job, requestId, method == HttpMethod.GET);
        List<Replica> known = jobs.serviceOf(job).flatMap(id -> registry.all().stream()
                .filter(r -> r.id().equals(id)).findFirst()).map(List::of).orElse(List.of());
        if (!known.isEmpty()) {
            return dispatcher.dispatch("train", known, outbound);
        }
        return askEach(trainers(), 0, job, outbound, new LinkedHashMap<>());
    }

    /**
     * Asks the trainers one by one until one knows the job. A trainer that could not be asked (it
     * timed out, failed or is down) may be the one running it, so when no other knows the job the
     * client is told which trainers failed and how, not that the job does not exist.
     */
    private CompletionStage<Routed> askEach(List<Replica> trainers, int index, String job, Outbound outbound,
                                            Map<String, Throwable> failed) {
        if (index >= trainers.size()) {
            return CompletableFuture.failedFuture(failed.isEmpty()
                    ? new NotFoundException("no training service knows job '" + job + "'")
                    : unanswered(job, failed));
        }
        Replica trainer = trainers.get(index);
        CompletionStage<Routed> asked;
        try {
            asked = dispatcher.dispatch("train", List.of(trainer), outbound);
        } catch (RuntimeException e) {
            asked = CompletableFuture.failedFuture(e);
        }
        return asked.handle((routed, failure) -> {
            if (failure != null) {
                failed.put(trainer.id(), failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure);
            }
            return routed;
        }).thenCompose(routed -> {
            if (routed != null && routed.answer().status() != 404) {
                jobs.remember(job, routed.servedBy());
                return CompletableFuture.completedFuture(routed);
            }
            return askEach(trainers, index + 1, job, outbound, failed);
        });
    }

    /** The error for a job no trainer that answered knows, when some could not be asked. */
    private static ApiException unanswered(String job, Map<String, Throwable> failed) {
        Throwable first = failed.values().iterator().next();
        StringBuilder reasons = new StringBuilder();
        failed.forEach((id, failure) -> reasons.append(reasons.isEmpty() ? "" : "; ")
                .append(failure.getMessage() != null && failure.getMessage().contains(id)
                        ? failure.getMessage() : "trainer " + id + ": " + failure.getMessage()));
        String message = "cannot tell where job '" + job + "' runs: " + reasons;
        if (first instanceof ApiException api && api.status() == 504) {
            return new GatewayTimeoutException(message);
        }
        if (first instanceof ApiException api && api.status() == 503) {
            return new UnavailableException(message, 1);
        }
        return new BadGatewayException(message);
    }

    private List<Replica> trainers() {
        return registry.all().stream().filter(r -> r.record().can(CAPABILITY)).toList();
    }

    /** The id of the job a submission started, when it started one. */
    Optional<String> jobId(Routed routed) {
        if (routed.answer().status() != 202) {
            return Optional.empty();
        }
        try {
            JsonNode body = json.readTree(routed.answer().body());
            return Optional.ofNullable(body.path("job_id").textValue());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
