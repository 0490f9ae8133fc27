package io.quiver.server.grpc;

import static io.quiver.server.grpc.GrpcClient.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.grpc.inference.InferTensorContents;
import io.quiver.grpc.inference.ModelInferRequest;
import io.quiver.grpc.inference.ModelInferResponse;
import io.quiver.grpc.inference.ModelMetadataRequest;
import io.quiver.grpc.inference.ModelRepositoryParameter;
import io.quiver.grpc.inference.RepositoryModelLoadRequest;
import io.quiver.grpc.inference.RepositoryModelUnloadRequest;
import io.quiver.server.testing.GrpcRepository;
import io.quiver.server.testing.SlowModel;
import io.restassured.RestAssured;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a client gets for a bad call: the status code Triton and KServe give and a message naming
 * the problem, and after each one the server still answers.
 */
@QuarkusTest
@WithTestResource(GrpcRepository.class)
class GrpcBadRequestsTest {
    @RegisterExtension
    final GrpcClient client = new GrpcClient();

    private static ModelInferRequest.Builder house(UnaryOperator<ModelInferRequest.InferInputTensor.Builder> input) {
        return Tensors.request("house_price").addInputs(input.apply(Tensors.header("features", "FP32", 1, 3)
                .setContents(Tensors.typed("FP32", List.of("1200", "3", "15")))));
    }

    private record Case(String what, Status.Code code, String message, ModelInferRequest request) {
    }

    @Test
    void badInferenceCallsGetTheirStatusAndMessage() {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("unknown model", Status.Code.NOT_FOUND, "no_such_model",
                Tensors.request("no_such_model").addInputs(Tensors.header("x", "FP32", 1)).build()));
        cases.add(new Case("unknown version", Status.Code.NOT_FOUND, "9",
                house(i -> i).setModelVersion("9").build()));
        cases.add(new Case("no model name", Status.Code.INVALID_ARGUMENT, "model_name is required",
                house(i -> i).setModelName("").build()));
        cases.add(new Case("no inputs", Status.Code.INVALID_ARGUMENT, "'inputs' must be a non-empty list",
                Tensors.request("house_price").build()));
        cases.add(new Case("unknown datatype", Status.Code.INVALID_ARGUMENT,
                "input 'features' has datatype 'FLOAT32'", house(i -> i.setDatatype("FLOAT32")).build()));
        cases.add(new Case("wrong datatype", Status.Code.INVALID_ARGUMENT,
                "input 'features' expects datatype FP32, got FP64", house(i -> i.setDatatype("FP64")
                        .setContents(Tensors.typed("FP64", List.of("1", "2", "3")))).build()));
        cases.add(new Case("contents in another type's field", Status.Code.INVALID_ARGUMENT,
                "input 'features' has datatype FP32, whose elements go in contents.fp32_contents, but contents."
                        + "int_contents is given", house(i -> i.setContents(InferTensorContents.newBuilder()
                        .addIntContents(1).addIntContents(2).addIntContents(3))).build()));
        cases.add(new Case("too few elements", Status.Code.INVALID_ARGUMENT,
                "input 'features': contents.fp32_contents has 2 elements but shape [1, 3] takes 3",
                house(i -> i.setContents(Tensors.typed("FP32", List.of("1", "2")))).build()));
        cases.add(new Case("wrong rank", Status.Code.INVALID_ARGUMENT, "input 'features' expects rank 2",
                house(i -> i.clearShape().addShape(3)).build()));
        cases.add(new Case("negative dimension", Status.Code.INVALID_ARGUMENT,
                "input 'features': shape[0] must be a non-negative integer, got -1",
                house(i -> i.setShape(0, -1)).build()));
        cases.add(new Case("shape too large", Status.Code.INVALID_ARGUMENT, "is too large",
                house(i -> i.setShape(0, 1L << 40)).build()));
        cases.add(new Case("unknown input", Status.Code.INVALID_ARGUMENT, "unknown input 'feature'",
                house(i -> i.setName("feature")).build()));
        cases.add(new Case("unknown output", Status.Code.INVALID_ARGUMENT, "unknown output 'cost'",
                house(i -> i).addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("cost"))
                        .build()));
        cases.add(new Case("raw bytes that do not fit the shape", Status.Code.INVALID_ARGUMENT,
                "input 'features': raw_input_contents[0] is 8 bytes but shape [1, 3] of FP32 takes 12",
                house(i -> i.clearContents()).addRawInputContents(ByteString.copyFrom(new byte[8])).build()));
        cases.add(new Case("raw contents for some inputs only", Status.Code.INVALID_ARGUMENT,
                "raw_input_contents has 2 entries but the request has 1 inputs",
                house(i -> i.clearContents()).addRawInputContents(ByteString.copyFrom(new byte[12]))
                        .addRawInputContents(ByteString.copyFrom(new byte[12])).build()));
        cases.add(new Case("typed and raw both", Status.Code.INVALID_ARGUMENT,
                "input 'features' has contents although the request carries raw_input_contents",
                house(i -> i).addRawInputContents(ByteString.copyFrom(new byte[12])).build()));
        cases.add(new Case("FP16 as typed contents", Status.Code.INVALID_ARGUMENT,
                "input 'in_float16' has datatype FP16, which has no typed contents field; send it in raw_input_contents",
                Tensors.request("every_datatype").addInputs(Tensors.header("in_float16", "FP16", 2, 2)).build()));
        cases.add(new Case("UINT8 out of range", Status.Code.INVALID_ARGUMENT,
                "input 'in_uint8' element 1 must be an unsigned 8-bit integer (0 to 255), got 256",
                Tensors.request(GrpcRepository.TYPED).addInputs(Tensors.header("in_uint8", "UINT8", 1, 2)
                        .setContents(Tensors.typed("UINT32", List.of("1", "256")))).build()));
        cases.add(new Case("INT8 out of range", Status.Code.INVALID_ARGUMENT,
                "input 'in_int8' element 0 must be an 8-bit integer (-128 to 127), got -129",
                Tensors.request(GrpcRepository.TYPED).addInputs(Tensors.header("in_int8", "INT8", 1, 2)
                        .setContents(Tensors.typed("INT32", List.of("-129", "0")))).build()));
        cases.add(new Case("BYTES not UTF-8", Status.Code.INVALID_ARGUMENT,
                "input 'in_string': element 0 is not valid UTF-8 text",
                Tensors.request(GrpcRepository.TYPED).addInputs(Tensors.header("in_string", "BYTES", 1, 2)
                        .setContents(InferTensorContents.newBuilder()
                                .addBytesContents(ByteString.copyFrom(new byte[] {(byte) 0xc3, 0x28}))
                                .addBytesContents(ByteString.copyFromUtf8("ok")))).build()));
        cases.add(new Case("raw BYTES length past the end", Status.Code.INVALID_ARGUMENT,
                "input 'in_string': element 0 has length 100 which runs past",
                Tensors.request(GrpcRepository.TYPED).addInputs(Tensors.header("in_string", "BYTES", 1, 1))
                        .addRawInputContents(ByteString.copyFrom(new byte[] {100, 0, 0, 0, 'a', 'b', 'c', 'd'}))
                        .build()));
        cases.add(new Case("missing input", Status.Code.INVALID_ARGUMENT, "missing input 'in_uint16'",
                Tensors.request(GrpcRepository.TYPED).addInputs(Tensors.header("in_uint8", "UINT8", 1, 2)
                        .setContents(Tensors.typed("UINT8", List.of("1", "2")))).build()));
        cases.add(new Case("no rows", Status.Code.INVALID_ARGUMENT, "input 'features' has no rows",
                house(i -> i.setShape(0, 0).setContents(InferTensorContents.getDefaultInstance())).build()));
        for (Case c : cases) {
            StatusRuntimeException e = fails(c.code(), c.message(), () -> client.stub().modelInfer(c.request()));
            assertTrue(e.getTrailers() != null && e.getTrailers().containsKey(GrpcClient.REQUEST_ID),
                    c.what() + ": the request id travels with the error");
            stillServes();
        }
        assertTrue(cases.size() >= 15, "the catalogue covers at least 15 cases");
    }

    @Test
    void badMetadataAndRepositoryCalls() {
        fails(Status.Code.NOT_FOUND, "no_such_model", () -> client.stub().modelMetadata(
                ModelMetadataRequest.newBuilder().setName("no_such_model").build()));
        fails(Status.Code.INVALID_ARGUMENT, "name is required", () -> client.stub().modelMetadata(
                ModelMetadataRequest.getDefaultInstance()));
        fails(Status.Code.INVALID_ARGUMENT, "load parameter 'config' is not supported", () -> client.stub()
                .repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("house_price")
                        .putParameters("config", ModelRepositoryParameter.newBuilder().setStringParam("{}").build())
                        .build()));
        fails(Status.Code.NOT_FOUND, "model 'not_in_repository' is not in the repository", () -> client.stub()
                .repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("not_in_repository").build()));
        fails(Status.Code.NOT_FOUND, "not_loaded", () -> client.stub().repositoryModelUnload(
                RepositoryModelUnloadRequest.newBuilder().setModelName("not_loaded").build()));
        stillServes();
    }

    @Test
    void aMessageThatIsNotProtobufGetsAnErrorStatusNotABrokenConnection() {
        for (byte[] bytes : List.of(new byte[] {-1, -1, -1, -1}, new byte[] {0x0a, 100, 'h'})) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> client.sendBytes("inference.GRPCInferenceService/ModelInfer", bytes));
            // Decoding fails in the gRPC transport, before the service: it answers INTERNAL, as grpc-java's
            // own server does for a message it cannot parse.
            assertEquals(Status.Code.INTERNAL, e.getStatus().getCode(), e.getStatus().toString());
            stillServes();
        }
        fails(Status.Code.UNIMPLEMENTED, "ModelStatistics",
                () -> client.sendBytes("inference.GRPCInferenceService/ModelStatistics", new byte[0]));
        stillServes();
    }

    @Test
    void theClientsRequestIdComesBackWithTheError() {
        StatusRuntimeException e = fails(Status.Code.NOT_FOUND, "nothing", () -> client.withRequestId("trace-42")
                .modelInfer(Tensors.request("nothing").addInputs(Tensors.header("x", "FP32", 1)).build()));
        assertEquals("trace-42", e.getTrailers().get(GrpcClient.REQUEST_ID));
    }

    @Test
    void aMessageOverTheLimitIsRefusedWithResourceExhausted() {
        // Under the limit, these bytes would be refused for not matching the shape; over it, they are never read.
        ModelInferRequest big = Tensors.request("house_price")
                .addInputs(Tensors.header("features", "FP32", 1, 3))
                .addRawInputContents(ByteString.copyFrom(new byte[100_000])).build();
        assertTrue(big.getSerializedSize() > 64 * 1024);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> client.stub().modelInfer(big));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.getStatus().toString());
        stillServes();
    }

    @Test
    void theClientsDeadlineIsHonoured() {
        fails(Status.Code.DEADLINE_EXCEEDED, "", () -> client.stub().withDeadlineAfter(1, TimeUnit.MILLISECONDS)
                .modelInfer(slow()));
        stillServes();
    }

    /**
     * A gRPC client enforces its deadline itself too, so which side answered cannot be told from a
     * generated stub. Here the call is written as raw HTTP/2 frames with a {@code grpc-timeout} no
     * client timer watches: the answer is the server's own.
     */
    @Test
    void theServerItselfAnswersAtTheDeadline() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            HttpClient http = vertx.createHttpClient(new HttpClientOptions()
                    .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
            byte[] message = Tensors.request("house_price").addInputs(Tensors.header("features", "FP32", 1, 3)
                    .setContents(Tensors.typed("FP32", List.of("1200", "3", "15")))).build().toByteArray();
            Buffer frame = Buffer.buffer().appendByte((byte) 0)
                    .appendInt(message.length).appendBytes(message);
            Map<String, String> answer = new HashMap<>();
            for (String timeout : List.of("1n", "30S")) {
                answer.clear();
                http.request(HttpMethod.POST, RestAssured.port, "localhost",
                                "/inference.GRPCInferenceService/ModelInfer")
                        .compose(request -> request.putHeader("content-type", "application/grpc")
                                .putHeader("te", "trailers").putHeader("grpc-timeout", timeout).send(frame))
                        .compose(response -> response.body().map(body -> {
                            response.headers().forEach(h -> answer.put(h.getKey(), h.getValue()));
                            response.trailers().forEach(h -> answer.put(h.getKey(), h.getValue()));
                            return body;
                        }))
                        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                if (timeout.equals("1n")) {
                    assertEquals(Integer.toString(Status.Code.DEADLINE_EXCEEDED.value()), answer.get("grpc-status"),
                            answer::toString);
                    assertTrue(URLDecoder.decode(answer.get("grpc-message"), StandardCharsets.UTF_8)
                            .contains("deadline passed before the model answered"), answer::toString);
                } else {
                    assertEquals("0", answer.get("grpc-status"), answer::toString);
                }
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFullQueueAnswersUnavailableWithRetryAfter() throws Exception {
        List<ListenableFuture<ModelInferResponse>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(client.futureStub().withDeadlineAfter(60, TimeUnit.SECONDS).modelInfer(slow()));
        }
        int answered = 0;
        int refused = 0;
        for (ListenableFuture<ModelInferResponse> call : calls) {
            try {
                ModelInferResponse answer = call.get();
                assertEquals(SlowModel.expected(0.5), answer.getOutputs(0).getContents().getFp32Contents(0),
                        SlowModel.expected(0.5) * 1e-3);
                answered++;
            } catch (ExecutionException e) {
                StatusRuntimeException status = (StatusRuntimeException) e.getCause();
                assertEquals(Status.Code.UNAVAILABLE, status.getStatus().getCode(), status.toString());
                assertTrue(status.getStatus().getDescription().contains("busy"), status.toString());
                assertEquals("1", status.getTrailers().get(Metadata.Key.of("retry-after",
                        Metadata.ASCII_STRING_MARSHALLER)));
                refused++;
            }
        }
        assertTrue(refused > 0, "eight slow calls cannot all fit one worker and no queue");
        assertTrue(answered > 0, "the worker answers");
        stillServes();
    }

    private static ModelInferRequest slow() {
        return Tensors.request(GrpcRepository.SLOW).addInputs(Tensors.header("x", "FP32", 1, 1)
                .setContents(Tensors.typed("FP32", List.of("0.5")))).build();
    }

    private void stillServes() {
        ModelInferResponse answer = client.stub().modelInfer(house(i -> i).build());
        assertEquals(1, answer.getOutputsCount());
    }
}
