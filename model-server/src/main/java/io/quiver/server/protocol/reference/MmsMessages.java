package io.quiver.server.protocol.reference;

import io.quiver.common.json.WireErrors;
import io.quiver.server.protocol.ModelStatus;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What crosses the wire on the multi-model API of reference document 004 ({@code /models}), named
 * Mms... in the OpenAPI document.
 */
public final class MmsMessages {
    private MmsMessages() {
    }

    @Schema(name = "MmsRegisterRequest", description = "Register a model: every version in the directory or at the URL `url` names (a directory "
            + "holding model.onnx is version 1), or the MLflow registry version a models:/ URI names.")
    public record RegisterRequest(
            @NotNull(message = WireErrors.REQUIRED) @Schema(examples = "house_price") String modelName,
            @NotNull(message = WireErrors.REQUIRED) @Schema(examples = "house_price") String url) {
    }

    @Schema(name = "MmsRegisterAnswer")
    public record RegisterAnswer(@Schema(examples = "Model \"house_price\" registered") String status,
                                 String modelName, List<String> versions) {
    }

    @Schema(name = "MmsModelList")
    public record ModelList(List<ModelStatus> models) {
    }

    @Schema(name = "MmsModelVersions")
    public record ModelVersions(String modelName, List<ModelStatus> versions) {
    }

    @Schema(name = "MmsUnregisterAnswer")
    public record UnregisterAnswer(@Schema(examples = "Model \"house_price\" unregistered") String status,
                                   List<String> versions) {
    }

    @Schema(name = "MmsPredictionsAnswer")
    public record PredictionsAnswer(String modelName, String modelVersion,
                                    @Schema(description = "a value or a record per row") Object predictions) {
    }
}
