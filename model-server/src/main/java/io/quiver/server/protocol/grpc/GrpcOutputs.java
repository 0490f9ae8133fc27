package io.quiver.server.protocol.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.quiver.grpc.inference.InferParameter;
import io.quiver.grpc.inference.InferTensorContents;
import io.quiver.grpc.inference.ModelInferResponse;
import io.quiver.grpc.inference.ModelInferResponse.InferOutputTensor;
import io.quiver.server.inference.Tensor;
import io.quiver.server.protocol.TensorBytes;
import io.quiver.server.serving.InferenceResult;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/** {@link InferenceResult} to {@code ModelInferResponse}, from the same output tensors REST encodes. */
final class GrpcOutputs {
    private GrpcOutputs() {
    }

    /**
     * The answer. Outputs go in {@code raw_output_contents} when the request sent its inputs raw, or
     * when an output is FP16 or BF16, which have no typed field (the protocol has all outputs one way).
     * A classifier's class labels are the output's {@code labels} parameter, a JSON array as text.
     */
    static ModelInferResponse encode(InferenceResult result, String id, boolean rawRequested,
                                     Function<List<String>, String> labelsText) {
        boolean raw = rawRequested || result.outputs().stream().anyMatch(t -> GrpcInputs.field(t.type()) == null);
        ModelInferResponse.Builder answer = ModelInferResponse.newBuilder()
                .setModelName(result.model().name())
                .setModelVersion(result.model().version())
                .setId(id);
        for (Tensor t : result.outputs()) {
            InferOutputTensor.Builder output = answer.addOutputsBuilder()
                    .setName(t.name())
                    .setDatatype(t.type().name());
            for (long d : t.shape()) {
                output.addShape(d);
            }
            List<String> labels = result.labels(t);
            if (!labels.isEmpty()) {
                output.putParameters("labels", InferParameter.newBuilder().setStringParam(labelsText.apply(labels))
                        .build());
            }
            if (raw) {
                answer.addRawOutputContents(UnsafeByteOperations.unsafeWrap(TensorBytes.write(t)));
            } else {
                output.setContents(contents(t));
            }
        }
        return answer.build();
    }

    private static InferTensorContents contents(Tensor t) {
        InferTensorContents.Builder c = InferTensorContents.newBuilder();
        Object data = t.array();
        switch (t.type()) {
            case BOOL -> {
                for (boolean b : (boolean[]) data) {
                    c.addBoolContents(b);
                }
            }
            case INT8 -> {
                for (byte b : (byte[]) data) {
                    c.addIntContents(b);
                }
            }
            case UINT8 -> {
                for (byte b : (byte[]) data) {
                    c.addUintContents(Byte.toUnsignedInt(b));
                }
            }
            case INT16 -> {
                for (short s : (short[]) data) {
                    c.addIntContents(s);
                }
            }
            case UINT16 -> {
                for (short s : (short[]) data) {
                    c.addUintContents(Short.toUnsignedInt(s));
                }
            }
            case INT32 -> {
                for (int v : (int[]) data) {
                    c.addIntContents(v);
                }
            }
            case UINT32 -> {
                for (int v : (int[]) data) {
                    c.addUintContents(v);
                }
            }
            case INT64 -> {
                for (long v : (long[]) data) {
                    c.addInt64Contents(v);
                }
            }
            case UINT64 -> {
                for (long v : (long[]) data) {
                    c.addUint64Contents(v);
                }
            }
            case FP32 -> {
                for (float v : (float[]) data) {
                    c.addFp32Contents(v);
                }
            }
            case FP64 -> {
                for (double v : (double[]) data) {
                    c.addFp64Contents(v);
                }
            }
            case BYTES -> {
                for (String s : (String[]) data) {
                    c.addBytesContents(ByteString.copyFrom(s, StandardCharsets.UTF_8));
                }
            }
            default -> throw new IllegalStateException(t.type().name());
        }
        return c.build();
    }
}
