package io.quiver.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.quiver.common.numbers.HalfFloats;
import io.quiver.grpc.inference.GRPCInferenceServiceGrpc;
import io.quiver.grpc.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.quiver.grpc.inference.InferTensorContents;
import io.quiver.grpc.inference.ModelInferResponse;
import io.restassured.RestAssured;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.function.Executable;

/**
 * A client of the stubs generated from common/src/main/proto, the file the server is built from,
 * on a plaintext HTTP/2 connection to the test server's random HTTP port (where the test profile
 * serves gRPC) or another; registered as a JUnit extension, it connects before each test, once the
 * server is up, and closes after it.
 */
final class GrpcClient implements BeforeEachCallback, AfterEachCallback {
    static final Metadata.Key<String> REQUEST_ID = Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);

    private final IntSupplier port;
    private ManagedChannel channel;

    GrpcClient() {
        this(() -> RestAssured.port);
    }

    /** A client of the server's port that {@code port} gives once the server is up. */
    GrpcClient(IntSupplier port) {
        this.port = port;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        channel = ManagedChannelBuilder.forAddress("localhost", port.getAsInt()).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    GRPCInferenceServiceBlockingStub stub() {
        return GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    GRPCInferenceServiceGrpc.GRPCInferenceServiceFutureStub futureStub() {
        return GRPCInferenceServiceGrpc.newFutureStub(channel);
    }

    /** Sends {@code bytes} as the message of {@code method}, whatever they hold, as a broken client might. */
    byte[] sendBytes(String method, byte[] bytes) {
        MethodDescriptor.Marshaller<byte[]> asIs = new MethodDescriptor.Marshaller<>() {
            @Override
            public java.io.InputStream stream(byte[] value) {
                return new java.io.ByteArrayInputStream(value);
            }

            @Override
            public byte[] parse(java.io.InputStream stream) {
                try {
                    return stream.readAllBytes();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        MethodDescriptor<byte[], byte[]> call = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(method)
                .setRequestMarshaller(asIs).setResponseMarshaller(asIs).build();
        return ClientCalls.blockingUnaryCall(channel, call, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
                bytes);
    }

    /** A stub that sends {@code id} as the call's x-request-id. */
    GRPCInferenceServiceBlockingStub withRequestId(String id) {
        Metadata headers = new Metadata();
        headers.put(REQUEST_ID, id);
        return stub().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /** Runs a call that must fail, and checks its status code and that its message names {@code mentions}. */
    static StatusRuntimeException fails(Status.Code code, String mentions, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        String message = String.valueOf(e.getStatus().getDescription());
        if (!message.contains(mentions)) {
            throw new AssertionError("expected the message to mention '" + mentions + "', got: " + message);
        }
        return e;
    }

    /** Output {@code i}'s elements as text, for comparison with the REST answer's (see {@link #restValues}). */
    static List<String> values(ModelInferResponse answer, int i) {
        ModelInferResponse.InferOutputTensor output = answer.getOutputs(i);
        String type = output.getDatatype();
        if (answer.getRawOutputContentsCount() > 0) {
            return rawValues(type, answer.getRawOutputContents(i));
        }
        InferTensorContents c = output.getContents();
        List<String> out = new ArrayList<>();
        switch (type) {
            case "BOOL" -> c.getBoolContentsList().forEach(v -> out.add(v.toString()));
            case "INT8", "INT16", "INT32" -> c.getIntContentsList().forEach(v -> out.add(v.toString()));
            case "INT64" -> c.getInt64ContentsList().forEach(v -> out.add(v.toString()));
            case "UINT8", "UINT16", "UINT32" -> c.getUintContentsList().forEach(v -> out.add(Integer.toUnsignedString(v)));
            case "UINT64" -> c.getUint64ContentsList().forEach(v -> out.add(Long.toUnsignedString(v)));
            case "FP32" -> c.getFp32ContentsList().forEach(v -> out.add(Float.toString(v)));
            case "FP64" -> c.getFp64ContentsList().forEach(v -> out.add(Double.toString(v)));
            case "BYTES" -> c.getBytesContentsList().forEach(v -> out.add(v.toStringUtf8()));
            default -> throw new AssertionError(type);
        }
        return out;
    }

    private static List<String> rawValues(String type, ByteString raw) {
        ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        List<String> out = new ArrayList<>();
        while (b.hasRemaining()) {
            out.add(switch (type) {
                case "BOOL" -> Boolean.toString(b.get() != 0);
                case "INT8" -> Byte.toString(b.get());
                case "UINT8" -> Integer.toString(Byte.toUnsignedInt(b.get()));
                case "INT16" -> Short.toString(b.getShort());
                case "UINT16" -> Integer.toString(Short.toUnsignedInt(b.getShort()));
                case "INT32" -> Integer.toString(b.getInt());
                case "UINT32" -> Integer.toUnsignedString(b.getInt());
                case "INT64" -> Long.toString(b.getLong());
                case "UINT64" -> Long.toUnsignedString(b.getLong());
                case "FP16" -> Float.toString(HalfFloats.fp16ToFloat(b.getShort()));
                case "BF16" -> Float.toString(HalfFloats.bf16ToFloat(b.getShort()));
                case "FP32" -> Float.toString(b.getFloat());
                case "FP64" -> Double.toString(b.getDouble());
                case "BYTES" -> {
                    byte[] s = new byte[b.getInt()];
                    b.get(s);
                    yield new String(s, StandardCharsets.UTF_8);
                }
                default -> throw new AssertionError(type);
            });
        }
        return out;
    }

    /** A REST answer's output elements as text, the way {@link #values} writes them. */
    static List<String> restValues(com.fasterxml.jackson.databind.JsonNode output) {
        String type = output.path("datatype").asText();
        List<String> out = new ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode v : output.path("data")) {
            out.add(switch (type) {
                case "BOOL" -> Boolean.toString(v.booleanValue());
                case "FP16", "BF16", "FP32" -> Float.toString((float) v.doubleValue());
                case "FP64" -> Double.toString(v.doubleValue());
                case "BYTES" -> v.textValue();
                default -> v.bigIntegerValue().toString();
            });
        }
        return out;
    }
}
