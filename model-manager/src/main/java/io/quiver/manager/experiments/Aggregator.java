package io.quiver.manager.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.common.error.ApiException;
import io.quiver.common.error.BadGatewayException;
import io.quiver.common.error.GatewayTimeoutException;
import io.quiver.manager.routing.Routed;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Sends one prediction to several targets at once and answers, at the deadline or as soon as all
 * answered, with every successful answer side by side (and combined when asked). The rule for
 * partial failure: whatever answered successfully in time is the answer (200), and every target that
 * did not is listed under {@code failures} with its status and reason; only when none answered is it
 * an error: 504 when some target was still out at the deadline, else 502.
 */
@ApplicationScoped
public class Aggregator {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TargetSender sender;

    Aggregator(TargetSender sender) {
        this.sender = sender;
    }

    CompletionStage<ObjectNode> aggregate(AggregateRequest request, String requestId) {
        List<CompletableFuture<Routed>> calls = new ArrayList<>();
        for (AggregateRequest.Named named : request.targets()) {
            calls.add(sender.send(named.target(), request.data(), requestId + ":" + named.name()));
        }
        CompletableFuture<Void> settled = CompletableFuture.allOf(calls.stream()
                .map(call -> call.handle((routed, failure) -> null)).toArray(CompletableFuture[]::new));
        return settled.completeOnTimeout(null, request.deadlineMillis(), TimeUnit.MILLISECONDS)
                .thenApply(ignored -> assemble(request, calls));
    }

    private static ObjectNode assemble(AggregateRequest request, List<CompletableFuture<Routed>> calls) {
        ObjectNode result = JSON.createObjectNode();
        result.put("combine", request.combine().name().toLowerCase(java.util.Locale.ROOT));
        result.put("deadline_ms", request.deadlineMillis());
        ArrayNode answers = result.putArray("answers");
        ArrayNode failures = result.putArray("failures");
        List<PredictionAnswer> arrived = new ArrayList<>();
        boolean late = false;
        for (int i = 0; i < calls.size(); i++) {
            AggregateRequest.Named named = request.targets().get(i);
            CompletableFuture<Routed> call = calls.get(i);
            ObjectNode entry = JSON.createObjectNode().put("name", named.name());
            if (!call.isDone()) {
                late = true;
                failures.add(entry.put("status", 504).put("error", "no answer within " + request.deadlineMillis() + " ms"));
                continue;
            }
            Routed routed;
            try {
                routed = call.join();
            } catch (CompletionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                int status = cause instanceof ApiException api ? api.status() : 502;
                failures.add(entry.put("status", status).put("error", String.valueOf(cause.getMessage())));
                continue;
            }
            entry.put("served_by", routed.servedBy()).put("status", routed.answer().status());
            Optional<PredictionAnswer> answer = PredictionAnswer.of(routed.answer());
            if (answer.isEmpty()) {
                failures.add(entry.put("error", errorOf(routed)));
                continue;
            }
            arrived.add(answer.get());
            answers.add(entry.set("answer", answer.get().body()));
        }
        if (arrived.isEmpty()) {
            String reasons = failures.toString();
            throw late ? new GatewayTimeoutException("no target answered within " + request.deadlineMillis()
                    + " ms: " + reasons) : new BadGatewayException("no target answered: " + reasons);
        }
        if (request.combine() != Combiner.NONE) {
            try {
                result.set("combined", request.combine().combine(arrived));
            } catch (IllegalArgumentException e) {
                result.putNull("combined");
                result.put("combine_error", e.getMessage());
            }
        }
        return result;
    }

    private static String errorOf(Routed routed) {
        byte[] body = routed.answer().body();
        try {
            JsonNode json = body == null ? null : JSON.readTree(body);
            if (json != null && json.hasNonNull("error")) {
                return json.get("error").asText();
            }
        } catch (IOException e) {
            // Not JSON; described by its status below.
        }
        return "answered HTTP " + routed.answer().status() + " without predictions";
    }
}
