package io.quiver.manager.warmup;

import com.google.protobuf.ByteString;
import io.quiver.grpc.inference.ModelInferResponse;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A replica that answers the warm-up's requests as a model-server would, in shape (V2 JSON, V2
 * binary tensor data with its header length, {@code /predict}, metadata, and gRPC's {@code
 * ModelInfer} over HTTP/2 without TLS, its status in the trailers), with the same small answer
 * every time: what is warmed is the manager's path, not a model. It listens on loopback only, on a
 * port of the system's choosing, for the warm-up's few seconds.
 */
final class StandInReplica implements AutoCloseable {
    private static final String JSON = "application/json";
    private static final String BINARY = "application/octet-stream";
    private static final String GRPC = "application/grpc";
    private static final String HEADER_LENGTH = "Inference-Header-Content-Length";

    private final HttpServer server;
    private final Buffer inferJson;
    private final Buffer inferBinary;
    private final int inferBinaryHeader;
    private final Buffer predict;
    private final Buffer metadata;
    private final Buffer grpcInfer;

    private StandInReplica(Vertx vertx, String model) {
        String output = "{\"model_name\":\"" + model + "\",\"model_version\":\"1\",\"outputs\":[{\"name\":\"prediction\","
                + "\"shape\":[1,1],\"datatype\":\"FP32\"";
        inferJson = Buffer.buffer(output + ",\"data\":[0.5]}]}");
        byte[] header = (output + ",\"parameters\":{\"binary_data_size\":4}}]}").getBytes(StandardCharsets.UTF_8);
        inferBinaryHeader = header.length;
        inferBinary = Buffer.buffer(header).appendBytes(
                ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.5f).array());
        predict = Buffer.buffer("{\"model_type\":\"" + model + "\",\"prediction\":0.5}");
        metadata = Buffer.buffer("{\"name\":\"" + model + "\",\"versions\":[\"1\"],\"platform\":\"onnxruntime_onnx\","
                + "\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[-1,4]}],"
                + "\"outputs\":[{\"name\":\"prediction\",\"datatype\":\"FP32\",\"shape\":[-1,1]}]}");
        byte[] message = ModelInferResponse.newBuilder().setModelName(model).setModelVersion("1")
                .addOutputs(ModelInferResponse.InferOutputTensor.newBuilder().setName("prediction").setDatatype("FP32")
                        .addShape(1).addShape(1))
                .addRawOutputContents(ByteString.copyFrom(
                        ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.5f).array()))
                .build().toByteArray();
        // A gRPC message's frame: not compressed, then its length.
        grpcInfer = Buffer.buffer().appendByte((byte) 0).appendInt(message.length).appendBytes(message);
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setTcpNoDelay(true))
                .requestHandler(this::answer);
    }

    /** Starts one; waits at most {@code timeout} for it to listen. */
    static StandInReplica start(Vertx vertx, String model, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        StandInReplica replica = new StandInReplica(vertx, model);
        replica.server.listen().toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return replica;
    }

    String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    private void answer(HttpServerRequest request) {
        if (request.method() == HttpMethod.GET) {
            request.response().putHeader("Content-Type", JSON)
                    .end(request.path().endsWith("/ready") ? Buffer.buffer() : metadata);
            return;
        }
        // The body is read whole, as a model-server reads it, before the answer goes.
        request.body().onSuccess(body -> {
            String type = request.getHeader("Content-Type");
            if (type != null && type.startsWith(GRPC)) {
                request.response().putHeader("Content-Type", GRPC).putTrailer("grpc-status", "0").end(grpcInfer);
            } else if (request.path().equals("/predict")) {
                request.response().putHeader("Content-Type", JSON).end(predict);
            } else if (type != null && type.startsWith(BINARY)) {
                request.response().putHeader("Content-Type", BINARY)
                        .putHeader(HEADER_LENGTH, Integer.toString(inferBinaryHeader)).end(inferBinary);
            } else {
                request.response().putHeader("Content-Type", JSON).end(inferJson);
            }
        });
    }

    @Override
    public void close() {
        server.close();
    }
}
