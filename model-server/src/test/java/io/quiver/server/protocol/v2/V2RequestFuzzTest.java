package io.quiver.server.protocol.v2;

import static io.quiver.common.fuzz.ClientFaults.LONGEST_RUN;
import static io.quiver.common.fuzz.ClientFaults.refusedOrDecoded;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.common.fuzz.HeadedInput;
import io.quiver.common.json.JsonBodies;
import java.nio.ByteBuffer;

/**
 * An Open Inference Protocol request body, as {@code POST /v2/models/{name}/infer} decodes it
 * before any model is asked: decoded into tensors or refused with a 4xx naming the fault.
 */
class V2RequestFuzzTest {

    /** The input is the JSON body. */
    @FuzzTest(maxDuration = LONGEST_RUN)
    void jsonRequest(byte[] body) {
        refusedOrDecoded(() -> decode(body, null));
    }

    /**
     * The binary tensor data extension: the input's first line is the Inference-Header-Content-Length
     * header's value, the rest the body (JSON, then the binary inputs' bytes).
     */
    @FuzzTest(maxDuration = LONGEST_RUN)
    void binaryRequest(byte[] input) {
        HeadedInput request = HeadedInput.split(input);
        if (request != null) {
            refusedOrDecoded(() -> decode(request.body(), request.head()));
        }
    }

    /** What V2Resource#inferVersion does with a body before the model runs. */
    private static void decode(byte[] body, String header) {
        BinaryTensors.Request request = BinaryTensors.parse(ByteBuffer.wrap(body), header);
        JsonNode json = request.json();
        JsonBodies.optionalText(json, "id");
        BinaryTensors.binaryOutputs(json);
        V2Codec.decode(json, request.slices());
    }

}
