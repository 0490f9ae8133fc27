package io.quiver.server.protocol.mlflow;

import static io.quiver.common.fuzz.ClientFaults.LONGEST_RUN;
import static io.quiver.common.fuzz.ClientFaults.refusedOrBound;
import static io.quiver.common.fuzz.ClientFaults.typedBody;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.quiver.server.protocol.FuzzModels;
import java.util.Arrays;

/**
 * MLflow's scoring bodies ({@code POST /invocations}: dataframe_split, dataframe_records,
 * instances, inputs, data) decoded for a model: tensors, or a 4xx naming the fault. The input's
 * first character (a digit) picks the model ({@link FuzzModels}), the rest is the body.
 */
class MlflowInputsFuzzTest {
    @FuzzTest(maxDuration = LONGEST_RUN)
    void invocations(byte[] input) {
        if (input.length == 0) {
            return;
        }
        refusedOrBound(() -> {
            MlflowResource.InvocationsRequest request = typedBody(Arrays.copyOfRange(input, 1, input.length),
                    MlflowResource.InvocationsRequest.class);
            if (request == null) {
                return; // an empty body, refused by the resource's @NotNull, a 400
            }
            MlflowInputs.decode(request, FuzzModels.pick(input[0]));
        });
    }
}
