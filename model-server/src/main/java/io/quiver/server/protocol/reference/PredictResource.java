package io.quiver.server.protocol.reference;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.server.inference.DataType;
import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.inference.Tensor;
import io.quiver.common.error.RequestIds;
import io.quiver.server.payloadlog.Exchange;
import io.quiver.server.protocol.RowEncoding;
import io.quiver.server.protocol.RowsDecoder;
import io.quiver.server.serving.InferenceResult;
import io.quiver.server.serving.InferenceService;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.quiver.common.json.WireErrors;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The unified prediction body of reference document 003, {@code {"model_type", "data",
 * "model_version"}}, as the model-manager forwards it unchanged.
 */
@Path("/predict")
@Produces(MediaType.APPLICATION_JSON)
public class PredictResource {
    private final InferenceService inference;

    PredictResource(InferenceService inference) {
        this.inference = inference;
    }

    /**
     * Document 003's unified prediction body. Fields it does not know are ignored: the model-manager
     * forwards its clients' bodies unchanged, with whatever else they carry.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PredictRequest(
            @NotNull(message = WireErrors.REQUIRED) @Schema(examples = "LSTM") String modelType,
            @NotNull(message = WireErrors.REQUIRED)
            @Schema(type = SchemaType.ARRAY, description = "one row of features, or a list of rows",
                    examples = "[0.0, 0.01, 0.02, 0.03]") JsonNode data,
            @Schema(description = "a version, or latest (the default)", examples = "latest") String modelVersion) {
        public PredictRequest {
            data = data == null || data.isNull() ? null : data;
        }
    }

    /** One prediction per row; a classifier's class labels when its descriptor names them. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PredictAnswer(String modelType, String modelName, String modelVersion, List<Object> predictions,
                                @Schema(description = "every output by name, when the model has several")
                                Map<String, List<Object>> outputs,
                                List<String> labels) {
    }

    @POST
    public CompletionStage<PredictAnswer> predict(@Valid @NotNull(message = WireErrors.REQUIRED) PredictRequest request,
                                                  @Context HttpServerRequest http) {
        return inference.inferByType(new Exchange(Exchange.Protocol.PREDICT, RequestIds.of(http), request),
                        request.modelType(), request.modelVersion(),
                        model -> InferenceRequest.of(RowsDecoder.decode(model, RowsDecoder.unifiedRows(model, request.data()))))
                .thenApply(result -> answer(request.modelType(), result));
    }

    private static PredictAnswer answer(String modelType, InferenceResult result) {
        List<String> labels = result.model().descriptor().labels();
        List<String> classLabels = labels.isEmpty() ? null : result.outputs().stream()
                .filter(PredictResource::classIndexes).findFirst().map(classes -> labelsOf(classes, labels)).orElse(null);
        return new PredictAnswer(modelType, result.model().name(), result.model().version(),
                RowEncoding.perRow(result.first(), result.labels(result.first())),
                result.outputs().size() > 1 ? RowEncoding.columns(result) : null, classLabels);
    }

    /** An integer output with one value per row reads as class indexes into the descriptor's labels. */
    private static boolean classIndexes(Tensor t) {
        return (t.type() == DataType.INT64 || t.type() == DataType.INT32) && t.size() == t.rows();
    }

    private static List<String> labelsOf(Tensor classes, List<String> labels) {
        return RowEncoding.perRow(classes).stream().map(v -> {
            long index = ((Number) v).longValue();
            return index >= 0 && index < labels.size() ? labels.get((int) index) : String.valueOf(index);
        }).toList();
    }
}
