package io.quiver.manager.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.common.error.BadRequestException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * An aggregate prediction: the same data sent to several model types, or to every variant of an
 * experiment, answered side by side and optionally combined, within a deadline.
 */
record AggregateRequest(List<Named> targets, JsonNode data, Combiner combine, long deadlineMillis) {
    private static final int MAX_TARGETS = 16;

    /** A target and the name its answer is listed under. */
    record Named(String name, Target target) {
    }

    /** The body, as the client writes it; {@link #of} checks what needs more than one field to judge. */
    @Schema(name = "AggregateRequest", description = "Either model_types or experiment; either data or features")
    public record Body(
            @Schema(description = "1 to 16 model types", examples = "[\"house_price\", \"house_price_v2\"]")
            List<String> modelTypes,
            @Schema(description = "an experiment whose variants are the targets") String experiment,
            @Schema(description = "with model_types: the version each is asked for") String modelVersion,
            @Schema(type = SchemaType.ARRAY, description = "as POST /predict takes it", examples = "[[1.2, 3, 10]]")
            JsonNode data,
            @Schema(type = SchemaType.OBJECT, description = "as POST /api/v1/predictions takes it") JsonNode features,
            @Schema(enumeration = {"none", "mean", "vote"}, description = "none when absent") String combine,
            @Schema(description = "how long to wait for the targets, in milliseconds") Long deadlineMs) {
        public Body {
            data = data == null || data.isNull() ? null : data;
            features = features == null || features.isNull() ? null : features;
        }
    }

    static AggregateRequest of(Body body, ExperimentStore experiments, long defaultDeadline, long maxDeadline) {
        if ((body.modelTypes() != null) == (body.experiment() != null)) {
            throw new BadRequestException("an aggregate prediction names either 'model_types' or 'experiment'");
        }
        if ((body.data() != null) == (body.features() != null)) {
            throw new BadRequestException("an aggregate prediction carries either 'data' (as /predict takes it) or "
                    + "'features' (as /api/v1/predictions takes it)");
        }
        JsonNode data = body.data() != null ? body.data() : body.features();
        List<Named> targets = body.experiment() != null
                ? experimentTargets(body, experiments)
                : typeTargets(body);
        String combineName = body.combine() != null ? body.combine() : "none";
        Combiner combine;
        try {
            combine = Combiner.named(combineName);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("combine '" + combineName + "' is not one of none, mean, vote");
        }
        long deadline = defaultDeadline;
        if (body.deadlineMs() != null) {
            if (body.deadlineMs() < 1 || body.deadlineMs() > maxDeadline) {
                throw new BadRequestException("deadline_ms must be a whole number from 1 to " + maxDeadline + ", got "
                        + body.deadlineMs());
            }
            deadline = body.deadlineMs();
        }
        return new AggregateRequest(targets, data, combine, deadline);
    }

    private static List<Named> experimentTargets(Body body, ExperimentStore experiments) {
        if (body.modelVersion() != null) {
            throw new BadRequestException("model_version goes with model_types; an experiment's variants name their own");
        }
        Experiment experiment = experiments.get(body.experiment());
        return experiment.variants().stream().map(v -> new Named(v.name(), v.target())).toList();
    }

    private static List<Named> typeTargets(Body body) {
        List<String> types = body.modelTypes();
        if (types.isEmpty() || types.size() > MAX_TARGETS) {
            throw new BadRequestException("model_types must be an array of 1 to " + MAX_TARGETS + " model types");
        }
        Set<String> seen = new LinkedHashSet<>();
        List<Named> targets = new ArrayList<>();
        for (String type : types) {
            if (type == null || type.isBlank()) {
                throw new BadRequestException("model_types must hold non-empty strings, got "
                        + (type == null ? "null" : "\"" + type + "\""));
            }
            if (!seen.add(type)) {
                throw new BadRequestException("model_types names '" + type + "' twice");
            }
            targets.add(new Named(type, new Target(type, body.modelVersion(), List.of())));
        }
        return targets;
    }
}
