package io.quiver.manager.versions;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quiver.common.error.BadGatewayException;
import io.quiver.common.error.NotFoundException;
import io.quiver.manager.registry.Replica;
import io.quiver.manager.registry.ServiceRegistry;
import io.quiver.manager.routing.Dispatcher;
import io.quiver.manager.routing.Outbound;
import io.quiver.manager.routing.Routed;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Retires one version of a model on every service that serves it: each drains the requests it has
 * accepted for that version, then unloads it, and "latest" falls back to the highest version left.
 * Services are asked independently, so one that cannot be reached does not keep the others serving
 * a version the operator wants gone; the answer says which did what.
 */
@ApplicationScoped
public class VersionRetirement {
    private final ServiceRegistry registry;
    private final Dispatcher dispatcher;

    VersionRetirement(ServiceRegistry registry, Dispatcher dispatcher) {
        this.registry = registry;
        this.dispatcher = dispatcher;
    }

    /** What each service said: retired it, did not have it, or failed (with the reason). */
    public record Outcome(String model, String version,
                          @JsonProperty("retired_on") List<String> retiredOn,
                          @JsonProperty("not_served_on") List<String> notServedOn,
                          @JsonProperty("failed_on") Map<String, String> failedOn) {
    }

    public CompletionStage<Outcome> retire(String model, String version, String requestId) {
        List<Replica> serving = registry.serving(model);
        if (serving.isEmpty()) {
            throw new NotFoundException("no registered service serves model '" + model + "'");
        }
        String path = "/v1/models/" + encode(model) + "/" + encode(version);
        List<CompletableFuture<Map.Entry<String, Object>>> answers = new ArrayList<>();
        for (Replica replica : serving) {
            Outbound delete = new Outbound(HttpMethod.DELETE, path, null, null, requestId);
            answers.add(dispatcher.dispatch(model, List.of(replica), delete).toCompletableFuture()
                    .handle((routed, failure) -> Map.entry(replica.id(), routed != null ? routed : failure)));
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(done -> outcome(model, version, answers.stream().map(CompletableFuture::join).toList()));
    }

    private static Outcome outcome(String model, String version, List<Map.Entry<String, Object>> answers) {
        List<String> retired = new ArrayList<>();
        List<String> notServed = new ArrayList<>();
        Map<String, String> failed = new LinkedHashMap<>();
        for (Map.Entry<String, Object> answer : answers) {
            if (answer.getValue() instanceof Routed routed && routed.answer().status() == 200) {
                retired.add(answer.getKey());
            } else if (answer.getValue() instanceof Routed routed && routed.answer().status() == 404) {
                notServed.add(answer.getKey());
            } else if (answer.getValue() instanceof Routed routed) {
                failed.put(answer.getKey(), "answered " + routed.answer().status() + ": "
                        + new String(routed.answer().body(), StandardCharsets.UTF_8));
            } else {
                Throwable failure = (Throwable) answer.getValue();
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                failed.put(answer.getKey(), String.valueOf(cause.getMessage()));
            }
        }
        if (retired.isEmpty() && failed.isEmpty()) {
            throw new NotFoundException("no service serves version '" + version + "' of model '" + model + "'");
        }
        if (retired.isEmpty()) {
            throw new BadGatewayException("no service retired version '" + version + "' of model '" + model + "': " + failed);
        }
        return new Outcome(model, version, retired, notServed, failed);
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
