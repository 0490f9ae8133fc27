package io.quiver.server.protocol.grpc;

import static io.quiver.common.fuzz.ClientFaults.LONGEST_RUN;
import static io.quiver.common.fuzz.ClientFaults.refusedOrDecoded;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.quiver.grpc.inference.ModelInferRequest;

/**
 * A gRPC ModelInfer request, typed contents or raw_input_contents, decoded into tensors or refused
 * with a 4xx (INVALID_ARGUMENT on the wire) naming the fault.
 */
class GrpcInputsFuzzTest {

    /** The input is the request message's protobuf bytes; bytes gRPC cannot parse never reach the decoder. */
    @FuzzTest(maxDuration = LONGEST_RUN)
    void modelInferRequest(byte[] message) {
        ModelInferRequest request;
        try {
            request = ModelInferRequest.parseFrom(message);
        } catch (InvalidProtocolBufferException e) {
            return;
        }
        refusedOrDecoded(() -> GrpcInputs.decode(request));
    }
}
