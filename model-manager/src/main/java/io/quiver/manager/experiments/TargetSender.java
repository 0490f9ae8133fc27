package io.quiver.manager.experiments;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.common.error.NotFoundException;
import io.quiver.manager.registry.Replica;
import io.quiver.manager.registry.ServiceRegistry;
import io.quiver.manager.routing.Dispatcher;
import io.quiver.manager.routing.Outbound;
import io.quiver.manager.routing.Routed;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Sends a prediction to a variant's target as the unified {@code /predict} body, {@code {"model_type",
 * "data", "model_version"}}, through the {@link Dispatcher}, so that balancing, retries, breakers
 * and the per-service limits apply to experiments as to every other request. Failures, including
 * "no such service", come back in the future, never thrown.
 */
@ApplicationScoped
public class TargetSender {
    private static final String CAPABILITY = "prediction";
    private final ObjectMapper json;

    private final Dispatcher dispatcher;
    private final ServiceRegistry registry;

    TargetSender(Dispatcher dispatcher, ServiceRegistry registry, ObjectMapper json) {
        this.json = json;
        this.dispatcher = dispatcher;
        this.registry = registry;
    }

    public CompletableFuture<Routed> send(Target target, JsonNode data, String requestId) {
        return send(target, data, requestId, false);
    }

    /** A shadow copy: sent like a request, but outside the services' concurrency limits. */
    public CompletableFuture<Routed> sendShadow(Target target, JsonNode data, String requestId) {
        return send(target, data, requestId, true);
    }

    private CompletableFuture<Routed> send(Target target, JsonNode data, String requestId, boolean shadow) {
        try {
            if (target.services().isEmpty()) {
                return dispatcher.dispatch(target.modelType(), CAPABILITY, outbound(target.modelType(), target, data,
                        requestId, shadow)).toCompletableFuture();
            }
            List<Replica> listed = registry.all().stream()
                    .filter(r -> target.services().contains(r.id()) && r.record().can(CAPABILITY))
                    .sorted(Comparator.comparingInt(r -> target.services().indexOf(r.id())))
                    .toList();
            if (listed.isEmpty()) {
                throw new NotFoundException("none of the services " + target.services()
                        + " is registered with capability '" + CAPABILITY + "'");
            }
            String type = target.modelType() != null ? target.modelType() : listed.get(0).record().modelType();
            return dispatcher.dispatch(type, listed, outbound(type, target, data, requestId, shadow)).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The unified /predict body a variant's requests are sent as. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record PredictBody(String modelType, JsonNode data, String modelVersion) {
    }

    private Outbound outbound(String type, Target target, JsonNode data, String requestId, boolean shadow) {
        PredictBody body = new PredictBody(type, data, target.modelVersion());
        try {
            Outbound outbound = new Outbound(HttpMethod.POST, "/predict", "application/json", json.writeValueAsBytes(body),
                    requestId);
            return shadow ? outbound.asShadow() : outbound;
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
