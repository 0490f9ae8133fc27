package io.quiver.server.protocol.reference;

import static io.quiver.common.fuzz.ClientFaults.LONGEST_RUN;
import static io.quiver.common.fuzz.ClientFaults.refusedOrBound;
import static io.quiver.common.fuzz.ClientFaults.typedBody;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.common.json.JsonBodies;
import io.quiver.server.protocol.FuzzModels;
import io.quiver.server.protocol.RowsDecoder;
import io.quiver.server.serving.ModelInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The row bodies of the reference documents' APIs (/v1/infer, /predictions/{name}, /predict),
 * decoded for a model as their resources decode them: tensors, or a 4xx naming the fault. Each
 * input's first character (a digit) picks the model ({@link FuzzModels}), the rest is the body.
 */
class ReferenceRowsFuzzTest {

    /** {@code POST /v1/infer}: {@code {"model_id", "inputs": [rows]}}. */
    @FuzzTest(maxDuration = LONGEST_RUN)
    void v1Infer(byte[] input) {
        if (input.length == 0) {
            return;
        }
        ModelInfo model = FuzzModels.pick(input[0]);
        refusedOrBound(() -> {
            V1Messages.InferRequest request = typedBody(body(input), V1Messages.InferRequest.class);
            if (request == null || request.modelId() == null || request.inputs() == null) {
                return; // refused by the request's @NotNull constraints, a 400
            }
            List<JsonNode> rows = new ArrayList<>();
            request.inputs().forEach(rows::add);
            RowsDecoder.decode(model, rows);
        });
    }

    /** {@code POST /predictions/{name}}: columns, {@code {"col": {"0": v, ...}, ...}}. */
    @FuzzTest(maxDuration = LONGEST_RUN)
    void mmsColumns(byte[] input) {
        if (input.length == 0) {
            return;
        }
        ModelInfo model = FuzzModels.pick(input[0]);
        refusedOrBound(() -> RowsDecoder.decode(model, ColumnRows.rows(JsonBodies.object(body(input)))));
    }

    /** {@code POST /predict}: {@code {"model_type", "data"}}, one row or a list of rows. */
    @FuzzTest(maxDuration = LONGEST_RUN)
    void predictData(byte[] input) {
        if (input.length == 0) {
            return;
        }
        ModelInfo model = FuzzModels.pick(input[0]);
        refusedOrBound(() -> {
            PredictResource.PredictRequest request = typedBody(body(input), PredictResource.PredictRequest.class);
            if (request == null || request.modelType() == null || request.data() == null) {
                return; // refused by the request's @NotNull constraints, a 400
            }
            RowsDecoder.decode(model, RowsDecoder.unifiedRows(model, request.data()));
        });
    }

    private static byte[] body(byte[] input) {
        return Arrays.copyOfRange(input, 1, input.length);
    }
}
