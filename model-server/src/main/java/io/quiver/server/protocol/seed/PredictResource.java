package io.quiver.server.protocol.seed;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.server.inference.DataType;
import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.inference.Tensor;
import io.quiver.common.json.JsonBodies;
import io.quiver.server.protocol.RowEncoding;
import io.quiver.server.protocol.RowsDecoder;
import io.quiver.server.serving.InferenceResult;
import io.quiver.server.serving.InferenceService;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

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

    @POST
    public CompletionStage<Map<String, Object>> predict(byte[] body) {
        JsonNode json = JsonBodies.object(body);
        String modelType = JsonBodies.text(json, "model_type");
        String version = JsonBodies.optionalText(json, "model_version");
        JsonNode data = JsonBodies.required(json, "data");
        return inference.inferByType(modelType, version,
                        model -> InferenceRequest.of(RowsDecoder.decode(model, RowsDecoder.unifiedRows(model, data))))
                .thenApply(result -> answer(modelType, result));
    }

    private static Map<String, Object> answer(String modelType, InferenceResult result) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("model_type", modelType);
        answer.put("model_name", result.model().name());
        answer.put("model_version", result.model().version());
        answer.put("predictions", RowEncoding.perRow(result.first(), result.labels(result.first())));
        if (result.outputs().size() > 1) {
            answer.put("outputs", RowEncoding.columns(result));
        }
        List<String> labels = result.model().descriptor().labels();
        if (!labels.isEmpty()) {
            result.outputs().stream().filter(PredictResource::classIndexes).findFirst()
                    .ifPresent(classes -> answer.put("labels", labelsOf(classes, labels)));
        }
        return answer;
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
