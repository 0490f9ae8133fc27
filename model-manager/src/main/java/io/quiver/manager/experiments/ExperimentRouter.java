package io.quiver.manager.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.common.error.RequestIds;
import io.quiver.manager.routing.Answers;
import io.quiver.manager.routing.Routed;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Serves reference document 001's prediction body, {@code {"features": {...}}}, through an
 * experiment: picks the variant, sends the features as the unified /predict body's {@code data}
 * (one row of named features, which a model-server maps onto the model's input by its descriptor's
 * feature order), copies the request to the shadows, and answers with the variant's answer, naming
 * the variant in {@code X-Variant} and in the body.
 */
@ApplicationScoped
public class ExperimentRouter {
    public static final String VARIANT_HEADER = "X-Variant";

    /** Which variant a request goes to. */
    public enum Choice {
        /** The experiment's default variant. */
        DEFAULT,
        /** By weight: sticky for requests with a key, rotating for the rest. */
        SPLIT,
        /** The variant the path names; not copied to shadows, since it is a deliberate look at one variant. */
        NAMED
    }

    private final ExperimentStore store;
    private final TargetSender sender;
    private final ShadowSender shadows;
    private final ExperimentMetrics metrics;
    private final ObjectMapper json;

    ExperimentRouter(ExperimentStore store, TargetSender sender, ShadowSender shadows, ExperimentMetrics metrics,
                     ObjectMapper json) {
        this.json = json;
        this.store = store;
        this.sender = sender;
        this.shadows = shadows;
        this.metrics = metrics;
    }

    public CompletionStage<Response> predict(String experimentName, Choice choice, String variantName,
                                             PredictionRequest body, HttpServerRequest request) {
        Assignment assignment = store.assignment(experimentName);
        Experiment experiment = assignment.experiment();
        JsonNode features = body.features(experiment);
        Variant variant = switch (choice) {
            case DEFAULT -> experiment.variant(experiment.defaultVariant());
            case NAMED -> experiment.variant(variantName);
            case SPLIT -> assignment.pick(stickyKey(body, experiment, request));
        };
        // Set on the response itself so that errors rendered by the shared mapper carry it too.
        request.response().putHeader(VARIANT_HEADER, variant.name());
        String requestId = RequestIds.of(request);
        long start = System.nanoTime();
        CompletableFuture<Routed> primary = sender.send(variant.target(), features, requestId);
        if (choice != Choice.NAMED) {
            shadows.copy(experiment, features, requestId, primary);
        }
        return primary.whenComplete((routed, failure) -> metrics.answered(experiment.name(), variant.name(),
                        ExperimentMetrics.PRIMARY, System.nanoTime() - start,
                        failure != null || routed.answer().status() >= 500))
                .thenApply(routed -> answer(routed, experiment, variant));
    }

    /** The request's sticky key: the configured header, else the configured top-level field; null when absent. */
    private static String stickyKey(PredictionRequest body, Experiment experiment, HttpServerRequest request) {
        if (experiment.stickyHeader() != null) {
            String key = request.getHeader(experiment.stickyHeader());
            if (key != null && !key.isEmpty()) {
                return key;
            }
        }
        JsonNode key = body.sticky(experiment);
        if (key != null && key.isValueNode() && !key.isNull()) {
            return key.asText();
        }
        return null;
    }

    /** The service's answer with the experiment and variant added in front, when it is a JSON object. */
    private Response answer(Routed routed, Experiment experiment, Variant variant) {
        Response.ResponseBuilder response = Answers.builder(routed);
        byte[] body = routed.answer().body();
        try {
            JsonNode answer = body == null || body.length == 0 ? null : json.readTree(body);
            if (answer != null && answer.isObject()) {
                ObjectNode named = json.createObjectNode();
                named.put("experiment", experiment.name());
                named.put("variant", variant.name());
                named.setAll((ObjectNode) answer);
                response.entity(json.writeValueAsBytes(named));
            }
        } catch (IOException e) {
            // Not JSON: passed on as the service sent it, named by the header alone.
        }
        return response.build();
    }
}
