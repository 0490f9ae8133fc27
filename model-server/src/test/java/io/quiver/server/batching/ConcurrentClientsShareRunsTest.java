package io.quiver.server.batching;

import static io.quiver.server.testing.Wire.assertAllClose;
import static io.quiver.server.testing.Wire.assertClose;
import static io.quiver.server.testing.Wire.flat;
import static io.quiver.server.testing.Wire.output;
import static io.quiver.server.testing.Wire.read;
import static io.quiver.server.testing.Wire.tensor;
import static io.quiver.server.testing.Wire.text;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.examples.ExampleModels;
import io.quiver.examples.OnnxModelWriter;
import io.quiver.examples.OnnxModelWriter.ElementType;
import io.quiver.examples.ReferenceModels;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.SmallBatches;
import io.quiver.server.testing.Wire;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Concurrent clients of a batching server, over HTTP: their requests share ONNX Runtime runs of at
 * most {@link SmallBatches#MAX_BATCH_SIZE} rows, yet each client gets exactly the answers for its
 * own rows, and one client's bad request fails no other.
 */
@QuarkusTest
@TestProfile(SmallBatches.class)
@WithTestResource(ExampleRepository.class)
class ConcurrentClientsShareRunsTest {
    private static final float[] TABLE = {0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f, 7.5f, 8.5f, 9.5f};

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void everyClientGetsItsOwnRowsFromRunsOfAtMostTheMaximum() throws Exception {
        int requests = 32 * 15;
        Batches runs = concurrentHousePrices("house_price", 2, 32, 15);
        assertTrue(runs.max <= SmallBatches.MAX_BATCH_SIZE, "no run held more than the maximum: " + runs.max);
        assertTrue(runs.count < requests, "requests of concurrent clients shared runs");
        assertEquals(runs.count, runs.timedRuns, "every run is timed as well as counted");
        assertTrue(runs.runSeconds > 0, "the runs took time: " + runs.runSeconds);
    }

    @Test
    void aModelsDescriptorOverridesTheServersBatchingSettings() throws Exception {
        loadHousePriceAs("pairs", "{\"batching\": {\"max_batch_size\": 2}}");
        loadHousePriceAs("single", "{\"batching\": {\"enabled\": false}}");
        try {
            Batches pairs = concurrentHousePrices("pairs", 1, 16, 10);
            assertTrue(pairs.max <= 2, "pairs runs at most 2 rows, not the server's 8: " + pairs.max);
            Batches single = concurrentHousePrices("single", 1, 16, 10);
            assertEquals(0, single.count, "a model whose descriptor turns batching off runs requests as they come");
        } finally {
            given().delete("/models/pairs").then().statusCode(200);
            given().delete("/models/single").then().statusCode(200);
        }
    }

    /**
     * {@code clients} clients each send {@code perClient} requests of one to three rows at once and
     * check every answer against the reference; returns the runs the model made meanwhile.
     */
    private Batches concurrentHousePrices(String model, int version, int clients, int perClient) throws Exception {
        Batches before = Batches.of(model, Integer.toString(version));
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        CountDownLatch start = new CountDownLatch(1);
        int rowsSent = 0;
        List<Future<?>> done = new ArrayList<>();
        try {
            for (int c = 0; c < clients; c++) {
                Random random = new Random(7_000L + c);
                List<double[][]> requests = new ArrayList<>();
                for (int i = 0; i < perClient; i++) {
                    requests.add(houses(random, 1 + random.nextInt(3)));
                    rowsSent += requests.get(i).length;
                }
                done.add(pool.submit(() -> {
                    start.await();
                    for (double[][] houses : requests) {
                        JsonNode answer = infer(model, v2("features", houses));
                        double[] expected = new double[houses.length];
                        for (int r = 0; r < houses.length; r++) {
                            expected[r] = ReferenceModels.housePrice(version, houses[r])[0];
                        }
                        assertAllClose(expected, output(answer, "price").path("data"), "price");
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> client : done) {
                client.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        Batches runs = Batches.of(model, Integer.toString(version)).minus(before);
        System.out.printf("%s: %d requests, %d rows: %.0f runs, largest %.0f rows%n", model, clients * perClient,
                rowsSent, runs.count, runs.max);
        if (runs.count > 0) {
            assertEquals(rowsSent, runs.rows, "every row ran exactly once");
        }
        return runs;
    }

    private static void loadHousePriceAs(String name, String descriptor) throws Exception {
        Path dir = ExampleRepository.extraRoot().resolve(name + "/1");
        Files.createDirectories(dir);
        Files.copy(ExampleRepository.root().resolve(ExampleModels.HOUSE_PRICE + "/1/model.onnx"), dir.resolve("model.onnx"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve("model.json"), descriptor);
        given().contentType(ContentType.JSON).body(Map.of("model_id", name, "registry_uri", dir.toString()))
                .post("/v1/models/load").then().statusCode(200);
    }

    @Test
    void oneBadRequestInABurstGetsItsOwn400AndTheOthersTheirAnswers() throws Exception {
        loadLookup();
        int clients = 16;
        int outOfRange = 7;
        int wrongType = 11;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int index = c == outOfRange ? 99 : c % TABLE.length;
                String datatype = c == wrongType ? "FP32" : "INT64";
                ObjectNode body = Wire.object();
                body.putArray("inputs").add(tensor("index", datatype, new long[] {1, 1}, Wire.array((long) index)));
                answers.add(pool.submit(() -> {
                    start.await();
                    return post("/v2/models/lookup/infer", text(body));
                }));
            }
            start.countDown();
            for (int c = 0; c < clients; c++) {
                HttpResponse<String> response = answers.get(c).get(2, TimeUnit.MINUTES);
                if (c == outOfRange || c == wrongType) {
                    assertEquals(400, response.statusCode(), response::body);
                    assertTrue(read(response.body()).path("error").asText().contains(c == outOfRange ? "could not run"
                            : "expects datatype INT64"), response::body);
                } else {
                    assertEquals(200, response.statusCode(), response::body);
                    assertClose(TABLE[c % TABLE.length], output(read(response.body()), "value").path("data").get(0),
                            "client " + c);
                }
            }
        } finally {
            pool.shutdownNow();
            given().delete("/models/lookup").then().statusCode(200);
        }
    }

    @Test
    void aDescriptorWithANonsensicalBatchSizeIsRefusedAtLoad() throws Exception {
        Path dir = ExampleRepository.extraRoot().resolve("zero/1");
        Files.createDirectories(dir);
        Files.copy(ExampleRepository.root().resolve(ExampleModels.HOUSE_PRICE + "/1/model.onnx"), dir.resolve("model.onnx"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve("model.json"), "{\"batching\": {\"max_batch_size\": 0}}");
        given().contentType(ContentType.JSON).body(Map.of("model_id", "zero", "registry_uri", dir.toString()))
                .post("/v1/models/load").then().statusCode(400)
                .body("error", containsString("batching.max_batch_size must be at least 1"));
    }

    /** {@code value = TABLE[index]}: ONNX Runtime refuses an index outside the table when it runs. */
    private static void loadLookup() throws Exception {
        Path dir = ExampleRepository.extraRoot().resolve("lookup/1");
        Files.createDirectories(dir);
        Files.write(dir.resolve("model.onnx"), OnnxModelWriter.graph("lookup")
                .input("index", ElementType.INT64, "batch", 1)
                .output("value", ElementType.FLOAT, "batch", 1)
                .initializer("table", new long[] {TABLE.length}, TABLE)
                .node("Gather", List.of("table", "index"), List.of("value"))
                .toByteArray());
        given().contentType(ContentType.JSON).body(Map.of("model_id", "lookup", "registry_uri", dir.toString()))
                .post("/v1/models/load").then().statusCode(200);
    }

    private JsonNode infer(String model, ObjectNode body) throws Exception {
        HttpResponse<String> response = post("/v2/models/" + model + "/infer", text(body));
        assertEquals(200, response.statusCode(), response::body);
        return read(response.body());
    }

    /** The JDK client opens a connection per concurrent request, so requests really overlap. */
    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + path))
                        .timeout(Duration.ofSeconds(90))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static ObjectNode v2(String input, double[][] rows) {
        ObjectNode body = Wire.object();
        body.putArray("inputs").add(tensor(input, "FP32", new long[] {rows.length, rows[0].length}, flat(rows)));
        return body;
    }

    private static double[][] houses(Random random, int count) {
        double[][] houses = new double[count][];
        for (int i = 0; i < count; i++) {
            houses[i] = new double[] {
                    Wire.f32(500 + random.nextInt(3000)), 1 + random.nextInt(6), random.nextInt(80)};
        }
        return houses;
    }

    /** The {@code quiver_batch_rows} summary and {@code quiver_batch_run_seconds} timer of one model version. */
    private record Batches(double count, double rows, double max, double timedRuns, double runSeconds) {
        static Batches of(String model, String version) {
            String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            return new Batches(value(metrics, "quiver_batch_rows_count", model, version),
                    value(metrics, "quiver_batch_rows_sum", model, version),
                    value(metrics, "quiver_batch_rows_max", model, version),
                    value(metrics, "quiver_batch_run_seconds_count", model, version),
                    value(metrics, "quiver_batch_run_seconds_sum", model, version));
        }

        Batches minus(Batches earlier) {
            return new Batches(count - earlier.count, rows - earlier.rows, max, timedRuns - earlier.timedRuns,
                    runSeconds - earlier.runSeconds);
        }

        private static double value(String metrics, String name, String model, String version) {
            Matcher line = Pattern.compile("(?m)^" + name + "\\{([^}]*)} (\\S+)$").matcher(metrics);
            while (line.find()) {
                if (line.group(1).contains("model=\"" + model + "\"") && line.group(1).contains("version=\"" + version + "\"")) {
                    return Double.parseDouble(line.group(2));
                }
            }
            return 0;
        }
    }
}
