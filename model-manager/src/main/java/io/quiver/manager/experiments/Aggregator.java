package io.quiver.manager.experiments;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
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
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Sends one prediction to several targets at once and answers, at the deadline or as soon as all
 * answered, with every successful answer side by side (and combined when asked). The rule for
 * partial failure: whatever answered successfully in time is the answer (200), and every target that
 * did not is listed under {@code failures} with its status and reason; only when none answered is it
 * an error: 504 when some target was still out at the deadline, else 502.
 */
@ApplicationScoped
public class Aggregator {
    private final TargetSender sender;
    private final ObjectMapper json;

    Aggregator(TargetSender sender, ObjectMapper json) {
        this.json = json;
        this.sender = sender;
    }

    /** What an aggregate prediction answers. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "AggregateAnswer")
    public record Answer(@Schema(examples = "mean") String combine, long deadlineMs,
                         @Schema(description = "every target that answered in time") List<Entry> answers,
                         @Schema(description = "every target that did not, with its status and reason") List<Entry> failures,
                         @Schema(description = "the combined answer, when combine is not none; null when the answers "
                                 + "could not be combined") JsonNode combined,
                         String combineError) {
    }

    /** One target's outcome: its answer, or why there is none. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "AggregateEntry")
    public record Entry(@Schema(description = "the model type or variant") String name, String servedBy, int status,
                        String error,
                        @Schema(description = "the service's /predict answer, as it sent it") JsonNode answer) {
    }

    CompletionStage<Answer> aggregate(AggregateRequest request, String requestId) {
        List<CompletableFuture<Routed>> calls = new ArrayList<>();
        for (AggregateRequest.Named named : request.targets()) {
            calls.add(sender.send(named.target(), request.data(), requestId + ":" + named.name()));
        }
        CompletableFuture<Void> settled = CompletableFuture.allOf(calls.stream()
                .map(call -> call.handle((routed, failure) -> null)).toArray(CompletableFuture[]::new));
        return settled.completeOnTimeout(null, request.deadlineMillis(), TimeUnit.MILLISECONDS)
                .thenApply(ignored -> assemble(request, calls));
    }

    private Answer assemble(AggregateRequest request, List<CompletableFuture<Routed>> calls) {
        List<Entry> answers = new ArrayList<>();
        List<Entry> failures = new ArrayList<>();
        List<PredictionAnswer> arrived = new ArrayList<>();
        boolean late = false;
        for (int i = 0; i < calls.size(); i++) {
            String name = request.targets().get(i).name();
            CompletableFuture<Routed> call = calls.get(i);
            if (!call.isDone()) {
                late = true;
                failures.add(new Entry(name, null, 504, "no answer within " + request.deadlineMillis() + " ms", null));
                continue;
            }
            Routed routed;
            try {
                routed = call.join();
            } catch (CompletionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                int status = cause instanceof ApiException api ? api.status() : 502;
                failures.add(new Entry(name, null, status, String.valueOf(cause.getMessage()), null));
                continue;
            }
            int status = routed.answer().status();
            Optional<PredictionAnswer> answer = PredictionAnswer.of(routed.answer());
            if (answer.isEmpty()) {
                failures.add(new Entry(name, routed.servedBy(), status, errorOf(routed), null));
                continue;
            }
            arrived.add(answer.get());
            answers.add(new Entry(name, routed.servedBy(), status, null, answer.get().body()));
        }
        if (arrived.isEmpty()) {
            String reasons = json.valueToTree(failures).toString();
            throw late ? new GatewayTimeoutException("no target answered within " + request.deadlineMillis()
                    + " ms: " + reasons) : new BadGatewayException("no target answered: " + reasons);
        }
        JsonNode combined = null;
        String combineError = null;
        if (request.combine() != Combiner.NONE) {
            try {
                combined = request.combine().combine(arrived);
            } catch (IllegalArgumentException e) {
                combined = NullNode.getInstance();
                combineError = e.getMessage();
            }
        }
        return new Answer(request.combine().name().toLowerCase(java.util.Locale.ROOT), request.deadlineMillis(),
                answers, failures, combined, combineError);
    }

    private String errorOf(Routed routed) {
        byte[] body = routed.answer().body();
        try {
            JsonNode answer = body == null ? null : json.readTree(body);
            if (answer != null && answer.hasNonNull("error")) {
                return answer.get("error").asText();
            }
        } catch (IOException e) {
            // Not JSON; described by its status below.
        }
        return "answered HTTP " + routed.answer().status() + " without predictions";
    }
}
