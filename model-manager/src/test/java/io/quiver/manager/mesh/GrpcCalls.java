package io.quiver.manager.mesh;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.quiver.common.numbers.HalfFloats;
import io.quiver.examples.ExporterModels;
import io.quiver.grpc.inference.GRPCInferenceServiceGrpc;
import io.quiver.grpc.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.quiver.grpc.inference.InferTensorContents;
import io.quiver.grpc.inference.ModelInferRequest;
import io.quiver.grpc.inference.ModelInferRequest.InferInputTensor;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A gRPC client of a mesh process, from the stubs generated from common/src/main/proto (the file the
 * Open Inference Protocol's published proto is copied into), on a plaintext HTTP/2 connection as
 * gRPC clients open one; and the every_datatype inputs written per the protocol's raw layout.
 */
final class GrpcCalls implements AutoCloseable {
    static final Metadata.Key<String> SERVED_BY = Metadata.Key.of("x-served-by", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /** The V2 datatypes of every_datatype's inputs, by input name ({@code in_<ONNX type>}), in the model's order. */
    static final Map<String, String> EVERY_DATATYPE = new LinkedHashMap<>();

    static {
        for (DataType type : ExporterModels.EVERY_TYPE) {
            EVERY_DATATYPE.put(ExporterModels.inputName(type), switch (type) {
                case FLOAT16 -> "FP16";
                case BFLOAT16 -> "BF16";
                case FLOAT -> "FP32";
                case DOUBLE -> "FP64";
                case STRING -> "BYTES";
                default -> type.name();
            });
        }
    }

    private final ManagedChannel channel;

    GrpcCalls(URI service) {
        channel = ManagedChannelBuilder.forAddress(service.getHost(), service.getPort()).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
    }

    GRPCInferenceServiceBlockingStub stub() {
        return GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    /** A stub that keeps the answer's headers in {@code headers}, to read who served it. */
    GRPCInferenceServiceBlockingStub capturing(AtomicReference<Metadata> headers) {
        return stub().withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, new AtomicReference<>()));
    }

    GRPCInferenceServiceBlockingStub withToken(String token) {
        Metadata metadata = new Metadata();
        metadata.put(AUTHORIZATION, "Bearer " + token);
        return stub().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata));
    }

    /** every_datatype's inputs, each {@code [2, 2]} of the values 0, 1, 2 and 3 in its type, as raw contents. */
    static ModelInferRequest everyDatatypeRaw() {
        ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName("every_datatype").setId("raw");
        EVERY_DATATYPE.forEach((name, type) -> {
            request.addInputs(InferInputTensor.newBuilder().setName(name).setDatatype(type).addShape(2).addShape(2));
            request.addRawInputContents(raw(type));
        });
        return request.build();
    }

    /**
     * The same inputs in typed contents, for {@link Mesh#TYPED_DATATYPES}: FP16 and BF16, which have
     * no typed field, are left out.
     */
    static ModelInferRequest everyDatatypeTyped() {
        ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName(Mesh.TYPED_DATATYPES)
                .setId("typed");
        EVERY_DATATYPE.forEach((name, type) -> {
            InferTensorContents.Builder c = InferTensorContents.newBuilder();
            for (int v = 0; v < 4; v++) {
                switch (type) {
                    case "FP16", "BF16" -> {
                        return;
                    }
                    case "INT8", "INT16", "INT32" -> c.addIntContents(v);
                    case "UINT8", "UINT16", "UINT32" -> c.addUintContents(v);
                    case "INT64" -> c.addInt64Contents(v);
                    case "UINT64" -> c.addUint64Contents(v);
                    case "FP32" -> c.addFp32Contents(v);
                    case "FP64" -> c.addFp64Contents(v);
                    case "BOOL" -> c.addBoolContents(v % 2 == 1);
                    case "BYTES" -> c.addBytesContents(ByteString.copyFromUtf8("v" + v));
                    default -> throw new AssertionError(type);
                }
            }
            request.addInputs(InferInputTensor.newBuilder().setName(name).setDatatype(type).addShape(2).addShape(2)
                    .setContents(c));
        });
        return request.build();
    }

    /** 0, 1, 2, 3 in {@code type}, little-endian, as the protocol lays out raw contents. */
    static ByteString raw(String type) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        for (int v = 0; v < 4; v++) {
            switch (type) {
                case "UINT8", "INT8" -> b.put((byte) v);
                case "BOOL" -> b.put((byte) (v % 2));
                case "UINT16", "INT16" -> b.putShort((short) v);
                case "UINT32", "INT32" -> b.putInt(v);
                case "UINT64", "INT64" -> b.putLong(v);
                case "FP16" -> b.putShort(HalfFloats.toFp16(v));
                case "BF16" -> b.putShort(HalfFloats.toBf16(v));
                case "FP32" -> b.putFloat(v);
                case "FP64" -> b.putDouble(v);
                case "BYTES" -> {
                    byte[] text = ("v" + v).getBytes(StandardCharsets.UTF_8);
                    b.putInt(text.length).put(text);
                }
                default -> throw new AssertionError(type);
            }
        }
        b.flip();
        return ByteString.copyFrom(b);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
