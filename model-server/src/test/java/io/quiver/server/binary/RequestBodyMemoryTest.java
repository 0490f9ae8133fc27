package io.quiver.server.binary;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.examples.ReferenceModels;
import io.quiver.server.binary.BinaryClient.Answer;
import io.quiver.server.protocol.RequestBodies;
import io.quiver.server.testing.ExampleRepository;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import io.restassured.response.Response;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Binary inputs are read by ONNX Runtime where they lie in the request body's pooled direct
 * memory: every request must get the answer to its own bytes however many run at once, and every
 * body must be back in the pool once its request is over, whatever the outcome.
 */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
class RequestBodyMemoryTest {
    @Inject
    RequestBodies bodies;

    private static final String INFER = "/v2/models/house_price/versions/1/infer";

    @AfterEach
    void everyBodyIsBackInThePool() {
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertEquals(0, bodies.bytesInUse(), "bytes of request bodies still held"));
    }

    @Test
    void concurrentBinaryRequestsEachGetTheAnswerToTheirOwnInput() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (int client = 0; client < 8; client++) {
                int id = client;
                calls.add(clients.submit(() -> {
                    for (int call = 0; call < 40; call++) {
                        float[] houses = new float[64 * 3];
                        for (int row = 0; row < 64; row++) {
                            houses[row * 3] = 500 + id * 100 + call * 7 + row;
                            houses[row * 3 + 1] = 1 + (row + id) % 5;
                            houses[row * 3 + 2] = (call + row) % 60;
                        }
                        Response response = new BinaryClient()
                                .binary("features", "FP32", new long[] {64, 3}, BinaryClient.fp32(houses))
                                .output("price", true)
                                .post(INFER);
                        assertEquals(200, response.statusCode(), response.asString());
                        float[] prices = Answer.of(response).fp32("price");
                        for (int row = 0; row < 64; row++) {
                            double expected = ReferenceModels.housePrice(1, new double[] {
                                houses[row * 3], houses[row * 3 + 1], houses[row * 3 + 2]})[0];
                            assertEquals(expected, prices[row], Math.abs(expected) * 1e-5 + 1e-3,
                                    "client " + id + ", call " + call + ", row " + row);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> call : calls) {
                call.get();
            }
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void bodiesOfRefusedRequestsAreReleased() {
        byte[] three = BinaryClient.fp32(1200, 3, 15);
        // Sizes that do not add up, a shape the model does not take, a model that does not exist,
        // a header beyond the body and a JSON part that is not JSON.
        assertEquals(400, new BinaryClient().binary("features", "FP32", new long[] {1, 3}, BinaryClient.fp32(1200, 3))
                .post(INFER).statusCode());
        assertEquals(400, new BinaryClient().binary("features", "FP32", new long[] {1, 2}, BinaryClient.fp32(1200, 3))
                .post(INFER).statusCode());
        assertEquals(404, new BinaryClient().binary("features", "FP32", new long[] {1, 3}, three)
                .post("/v2/models/no_such_model/infer").statusCode());
        assertEquals(400, BinaryClient.post(INFER, three, "9999").statusCode());
        assertEquals(400, BinaryClient.post(INFER, BinaryClient.concat("{\"inputs\": [".getBytes(StandardCharsets.UTF_8), three),
                "11").statusCode());
        assertEquals(200, new BinaryClient().binary("features", "FP32", new long[] {1, 3}, three).post(INFER).statusCode());
    }

    @Test
    void aBodyCutOffByItsClientIsReleased() throws Exception {
        String json = "{\"inputs\": [{\"name\": \"features\", \"shape\": [1000, 3], \"datatype\": \"FP32\","
                + " \"parameters\": {\"binary_data_size\": 12000}}]}";
        byte[] head = json.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + INFER + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\n"
                    + "Inference-Header-Content-Length: " + head.length + "\r\nContent-Length: " + (head.length + 12000)
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(head);
            out.write(new byte[5000]);
            out.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> bodies.bytesInUse() > 0);
        }
        // The connection is gone with 7,000 bytes still to come: the server drops what it read.
        given().get("/v2").then().statusCode(200);
    }
}
