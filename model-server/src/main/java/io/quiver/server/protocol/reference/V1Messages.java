package io.quiver.server.protocol.reference;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.json.JsonBodies;
import io.quiver.common.json.WireErrors;
import io.quiver.server.protocol.ModelStatus;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What crosses the wire on the model server API of reference document 002 ({@code /v1}). The
 * schemas are named V1... in the OpenAPI document, beside the other APIs' types of the same names.
 */
public final class V1Messages {
    private V1Messages() {
    }

    @Schema(name = "V1LoadRequest", description = "Load every version of a model from a registry URI: a directory under the repository or an "
            + "allowed root, an http(s) URL or s3:// location of a model.onnx, or an MLflow registry version "
            + "(models:/<name>/<version>, models:/<name>@<alias>).")
    public record LoadRequest(
            @NotNull(message = WireErrors.REQUIRED) @Schema(examples = "house_price") String modelId,
            @Schema(description = "the version to load the URI as; without it, each version directory is loaded",
                    examples = "1") String version,
            @NotNull(message = WireErrors.REQUIRED) @Schema(examples = "models/house_price") String registryUri) {
    }

    @Schema(name = "V1LoadAnswer")
    public record LoadAnswer(String modelId, List<String> versions,
                             @Schema(examples = "loaded") String status, List<ModelStatus> models) {
    }

    @Schema(name = "V1ModelList")
    public record ModelList(List<ModelStatus> models,
                            @Schema(description = "what the resident versions take of the memory budget") Memory memory) {
    }

    /** The cache's figures (quiver.cache.memory-budget), so an operator sees how full it is, not only which versions are evicted. */
    @Schema(name = "V1Memory")
    public record Memory(@Schema(description = "estimated bytes of the resident versions") long residentBytes,
                         @Schema(description = "quiver.cache.memory-budget in bytes") long budgetBytes) {
    }

    @Schema(name = "V1UnloadAnswer")
    public record UnloadAnswer(String modelId, String version, @Schema(examples = "unloaded") String status) {
    }

    /**
     * Rows to score. Fields it does not know are ignored, as the reference document's clients send
     * their own metadata along.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "V1InferRequest", description = "Rows to score: each row a list of feature values in the model's input order, or an object "
            + "keyed by input name for a model with several inputs.")
    public record InferRequest(
            @NotNull(message = WireErrors.REQUIRED) @Schema(examples = "house_price") String modelId,
            @Schema(description = "the version; the highest when absent", examples = "1") String modelVersion,
            @NotNull(message = WireErrors.REQUIRED)
            @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.ARRAY,
                    examples = "[[1.2, 3, 10]]") JsonNode inputs) {
        public InferRequest {
            if (inputs != null && inputs.isNull()) {
                inputs = null;
            }
            if (inputs != null && !inputs.isArray()) {
                throw new BadRequestException("'inputs' must be an array of rows, got " + JsonBodies.kind(inputs));
            }
        }
    }

    @Schema(name = "V1InferAnswer")
    public record InferAnswer(String modelId, String modelVersion,
                              @Schema(description = "one record per row: each output's value, or a classifier's "
                                      + "probabilities keyed by class label") List<Map<String, Object>> predictions) {
    }
}
