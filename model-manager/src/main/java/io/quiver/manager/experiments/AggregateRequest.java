package io.quiver.manager.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.json.JsonBodies;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An aggregate prediction: the same data sent to several model types, or to every variant of an
 * experiment, answered side by side and optionally combined, within a deadline.
 */
record AggregateRequest(List<Named> targets, JsonNode data, Combiner combine, long deadlineMillis) {
    private static final Set<String> FIELDS = Set.of("model_types", "experiment", "model_version", "data", "features",
            "combine", "deadline_ms");
    private static final int MAX_TARGETS = 16;

    /** A target and the name its answer is listed under. */
    record Named(String name, Target target) {
    }

    static AggregateRequest parse(JsonNode body, ExperimentStore experiments, long defaultDeadline, long maxDeadline) {
        ExperimentJson.knownFields("an aggregate prediction", body, FIELDS);
        if (body.has("model_types") == body.has("experiment")) {
            throw new BadRequestException("an aggregate prediction names either 'model_types' or 'experiment'");
        }
        if (body.has("data") == body.has("features")) {
            throw new BadRequestException("an aggregate prediction carries either 'data' (as /predict takes it) or "
                    + "'features' (as /api/v1/predictions takes it)");
        }
        JsonNode data = JsonBodies.required(body, body.has("data") ? "data" : "features");
        List<Named> targets = body.has("experiment")
                ? experimentTargets(body, experiments)
                : typeTargets(body);
        String combineName = body.has("combine") ? JsonBodies.text(body, "combine") : "none";
        Combiner combine;
        try {
            combine = Combiner.named(combineName);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("combine '" + combineName + "' is not one of none, mean, vote");
        }
        long deadline = defaultDeadline;
        JsonNode deadlineNode = body.get("deadline_ms");
        if (deadlineNode != null && !deadlineNode.isNull()) {
            if (!deadlineNode.isIntegralNumber() || deadlineNode.asLong() < 1 || deadlineNode.asLong() > maxDeadline) {
                throw new BadRequestException("deadline_ms must be a whole number from 1 to " + maxDeadline + ", got "
                        + deadlineNode);
            }
            deadline = deadlineNode.asLong();
        }
        return new AggregateRequest(targets, data, combine, deadline);
    }

    private static List<Named> experimentTargets(JsonNode body, ExperimentStore experiments) {
        if (body.has("model_version")) {
            throw new BadRequestException("model_version goes with model_types; an experiment's variants name their own");
        }
        Experiment experiment = experiments.get(JsonBodies.text(body, "experiment"));
        return experiment.variants().stream().map(v -> new Named(v.name(), v.target())).toList();
    }

    private static List<Named> typeTargets(JsonNode body) {
        JsonNode types = body.get("model_types");
        if (!types.isArray() || types.isEmpty() || types.size() > MAX_TARGETS) {
            throw new BadRequestException("model_types must be an array of 1 to " + MAX_TARGETS + " model types");
        }
        String version = JsonBodies.optionalText(body, "model_version");
        Set<String> seen = new LinkedHashSet<>();
        List<Named> targets = new ArrayList<>();
        for (JsonNode type : types) {
            if (!type.isTextual() || type.asText().isBlank()) {
                throw new BadRequestException("model_types must hold non-empty strings, got " + type);
            }
            if (!seen.add(type.asText())) {
                throw new BadRequestException("model_types names '" + type.asText() + "' twice");
            }
            targets.add(new Named(type.asText(), new Target(type.asText(), version, List.of())));
        }
        return targets;
    }
}
