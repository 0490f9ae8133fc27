package io.quiver.manager.experiments;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.json.JsonBodies;
import io.quiver.common.json.WireErrors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Reference document 001's prediction body, {@code {"features": {...}}}. Which other field it may
 * carry depends on the experiment (its {@code sticky_field}), so the record takes the rest aside
 * and {@link #features(Experiment)} judges it against the experiment that serves the request.
 */
@Schema(name = "V1PredictionRequest", description = "The features to predict from, and the experiment's sticky_field "
        + "when it has one")
public record PredictionRequest(
        @Schema(type = SchemaType.OBJECT, required = true, description = "feature name to value (or an array of such "
                + "rows)", examples = "{\"sqft\": 1200, \"bedrooms\": 3, \"age\": 10}") JsonNode features,
        @Schema(hidden = true) @JsonAnySetter Map<String, JsonNode> others) {
    public PredictionRequest {
        features = features == null || features.isNull() ? null : features;
        others = others == null ? new LinkedHashMap<>() : others;
    }

    /** The features, once every other field is known to be the experiment's sticky field. */
    JsonNode features(Experiment experiment) {
        for (String field : List.copyOf(others.keySet())) {
            if (!field.equals(experiment.stickyField())) {
                throw new BadRequestException("unknown field '" + field + "'; the body is {\"features\": {...}}"
                        + (experiment.stickyField() == null ? "" : " with an optional '" + experiment.stickyField() + "'"));
            }
        }
        if (features == null) {
            throw new BadRequestException("field 'features' " + WireErrors.REQUIRED);
        }
        if (!(features.isObject() && !features.isEmpty()) && !(features.isArray() && !features.isEmpty())) {
            throw new BadRequestException("field 'features' must be a non-empty object of feature values (or an "
                    + "array of such rows), got " + (features.isContainerNode() ? "an empty one" : JsonBodies.kind(features)));
        }
        return features;
    }

    /** The value of the experiment's sticky field, when the body has one. */
    JsonNode sticky(Experiment experiment) {
        return experiment.stickyField() == null ? null : others.get(experiment.stickyField());
    }

    /**
     * What the answer is, for the OpenAPI document only: the serving model-server's /predict answer,
     * passed on as it came, with the experiment and the variant added in front (ExperimentRouter).
     */
    @Schema(name = "V1PredictionAnswer", description = "The model-server's /predict answer with the experiment and "
            + "variant in front")
    public record Answer(@Schema(examples = "default") String experiment, @Schema(examples = "a") String variant,
                         String modelType, String modelName, String modelVersion,
                         @Schema(description = "one prediction per row") List<Object> predictions,
                         List<String> labels) {
    }
}
