package io.quiver.server;

import static io.quiver.server.testing.Wire.array;
import static io.quiver.server.testing.Wire.assertAllClose;
import static io.quiver.server.testing.Wire.assertClose;
import static io.quiver.server.testing.Wire.flat;
import static io.quiver.server.testing.Wire.longs;
import static io.quiver.server.testing.Wire.object;
import static io.quiver.server.testing.Wire.output;
import static io.quiver.server.testing.Wire.read;
import static io.quiver.server.testing.Wire.rows;
import static io.quiver.server.testing.Wire.tensor;
import static io.quiver.server.testing.Wire.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.examples.ReferenceModels;
import io.quiver.server.testing.ExampleRepository;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Many clients at once, each with its own connection, mixing models, versions and wire formats:
 * every answer must still be the reference answer for that client's own inputs, so a request
 * never sees another's tensors, version or outputs.
 */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
class ConcurrentClientsTest {
    private static final int CLIENTS = 32;
    private static final int REQUESTS_PER_CLIENT = 40;
    private static final long SEED = 20_261_124L;
    private static final List<String> FRAUD_LABELS = List.of("legit", "fraud");

    @TestHTTPResource("/")
    URL server;

    /** One request and how to check its answer. */
    private record Call(String description, String path, String body, Consumer<JsonNode> check) {
    }

    @Test
    void concurrentClientsAllGetTheirOwnCorrectAnswers() throws Exception {
        URI base = server.toURI();
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        long began = System.nanoTime();
        try {
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                clients.add(pool.submit(() -> {
                    Random random = new Random(SEED + client);
                    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(Duration.ofSeconds(10)).build();
                    {
                        start.await();
                        for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
                            Call call = nextCall(random);
                            sent.incrementAndGet();
                            try {
                                HttpResponse<String> response = http.send(
                                        HttpRequest.newBuilder(base.resolve(call.path().substring(1)))
                                                .timeout(Duration.ofSeconds(30))
                                                .header("Content-Type", "application/json")
                                                .POST(HttpRequest.BodyPublishers.ofString(call.body()))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString());
                                assertEquals(200, response.statusCode(), response::body);
                                call.check().accept(read(response.body()));
                            } catch (Throwable e) {
                                failed.incrementAndGet();
                                if (failures.size() < 10) {
                                    failures.add("client " + client + " request " + i + " (" + call.description()
                                            + " " + call.path() + "): " + e);
                                }
                            }
                        }
                    }
                    return null;
                }));
            }
            began = System.nanoTime();
            start.countDown();
            for (Future<?> client : clients) {
                client.get(3, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        System.out.printf("concurrent clients: %d clients, %d requests, %d failures, %d ms%n",
                CLIENTS, sent.get(), failed.get(), elapsedMillis);

        assertEquals(CLIENTS * REQUESTS_PER_CLIENT, sent.get());
        assertEquals(0, failed.get(), () -> String.join("\n", failures));
    }

    private static Call nextCall(Random random) {
        return switch (random.nextInt(10)) {
            case 0 -> v2HousePrice(random);
            case 1 -> v2MultiInput(random);
            case 2 -> v2Fraud(random);
            case 3 -> v2Lstm(random);
            case 4 -> v1Infer(random);
            case 5 -> columnPredictions(random);
            case 6 -> predictSeries(random);
            case 7 -> predictClassifier(random);
            default -> invocations(random);
        };
    }

    // --- V2 ---------------------------------------------------------------------------------

    private static Call v2HousePrice(Random random) {
        double[][] houses = houses(random, 1 + random.nextInt(5));
        int version = 1 + random.nextInt(2);
        boolean latest = random.nextBoolean();
        String path = latest ? "/v2/models/house_price/infer" : "/v2/models/house_price/versions/" + version + "/infer";
        int expectedVersion = latest ? 2 : version;
        boolean nested = random.nextBoolean();
        ObjectNode body = v2(tensor("features", "FP32", new long[] {houses.length, 3},
                nested ? rows(houses) : flat(houses)));
        String id = "c" + random.nextInt(1_000_000);
        body.put("id", id);
        return new Call("V2 house_price", path, text(body), answer -> {
            assertEquals(Integer.toString(expectedVersion), answer.path("model_version").asText());
            assertEquals(id, answer.path("id").asText());
            assertAllClose(prices(expectedVersion, houses), output(answer, "price").path("data"), "price");
        });
    }

    private static Call v2MultiInput(Random random) {
        int batch = 1 + random.nextInt(3);
        int n = batch * 2;
        double[] a = new double[n];
        long[] b = new long[n];
        int[] c = new int[n];
        long[] cAsLong = new long[n];
        double[] d = new double[n];
        boolean[] mask = new boolean[n];
        for (int i = 0; i < n; i++) {
            // Non-negative a, b and c: the model adds them in float32, and without cancellation its
            // rounding stays within the relative tolerance of the double-precision reference.
            a[i] = Math.round(random.nextDouble() * 4000) / 4.0;
            b[i] = (long) (random.nextDouble() * 6e9);
            c[i] = random.nextInt(Integer.MAX_VALUE);
            cAsLong[i] = c[i];
            d[i] = (random.nextDouble() - 0.5) * 2e6;
            mask[i] = random.nextBoolean();
        }
        long[] shape = {batch, 2};
        ObjectNode body = v2(
                tensor("a", "FP32", shape, array(a)),
                tensor("b", "INT64", shape, array(b)),
                tensor("c", "INT32", shape, array(cAsLong)),
                tensor("d", "FP64", shape, array(d)),
                tensor("mask", "BOOL", shape, array(mask)));
        return new Call("V2 multi_input", "/v2/models/multi_input/infer", text(body), answer -> {
            assertAllClose(ReferenceModels.multiInputSum(a, b, c), output(answer, "sum").path("data"), "sum");
            assertAllClose(ReferenceModels.multiInputDoubled(d), output(answer, "doubled").path("data"), "doubled");
            assertAllClose(ReferenceModels.multiInputMasked(a, b, c, mask), output(answer, "masked").path("data"),
                    "masked");
            assertArrayEquals(ReferenceModels.multiInputCount(b, c), longs(output(answer, "count").path("data")));
            boolean[] inverted = ReferenceModels.multiInputInverted(mask);
            JsonNode served = output(answer, "inverted").path("data");
            for (int i = 0; i < n; i++) {
                assertEquals(inverted[i], served.get(i).booleanValue(), "inverted[" + i + "]");
            }
        });
    }

    private static Call v2Fraud(Random random) {
        double[][] transactions = transactions(random, 1 + random.nextInt(4));
        ObjectNode body = v2(tensor("features", "FP32", new long[] {transactions.length, 4}, rows(transactions)));
        return new Call("V2 fraud_classifier", "/v2/models/fraud_classifier/infer", text(body), answer -> {
            JsonNode probabilities = output(answer, "probabilities").path("data");
            JsonNode labels = output(answer, "label").path("data");
            for (int r = 0; r < transactions.length; r++) {
                double[] expected = ReferenceModels.fraudProbabilities(transactions[r]);
                assertClose(expected[0], probabilities.get(2 * r), "legit probability " + r);
                assertClose(expected[1], probabilities.get(2 * r + 1), "fraud probability " + r);
                assertEquals(ReferenceModels.fraudLabel(transactions[r]), labels.get(r).longValue(), "label " + r);
            }
        });
    }

    private static Call v2Lstm(Random random) {
        int batch = 1 + random.nextInt(2);
        double[][] series = series(random, batch, 1 + random.nextInt(15));
        int length = series[0].length;
        ObjectNode body = v2(tensor("series", "FP32", new long[] {batch, length, 1}, flat(series)));
        return new Call("V2 lstm_forecaster", "/v2/models/lstm_forecaster/infer", text(body),
                answer -> assertAllClose(forecasts(series), output(answer, "forecast").path("data"), "forecast"));
    }

    // --- Row-oriented APIs ------------------------------------------------------------------

    private static Call v1Infer(Random random) {
        double[][] houses = houses(random, 1 + random.nextInt(4));
        boolean objects = random.nextBoolean();
        boolean pinned = random.nextBoolean();
        int version = pinned ? 1 + random.nextInt(2) : 2;
        ObjectNode body = object().put("model_id", "house_price");
        if (pinned) {
            body.put("model_version", Integer.toString(version));
        }
        if (objects) {
            ArrayNode inputs = body.putArray("inputs");
            for (double[] h : houses) {
                inputs.addObject().put("age", h[2]).put("sqft", h[0]).put("rooms", h[1]);
            }
        } else {
            body.set("inputs", rows(houses));
        }
        return new Call("v1 infer", "/v1/infer", text(body), answer -> {
            assertEquals(Integer.toString(version), answer.path("model_version").asText());
            double[] expected = prices(version, houses);
            for (int r = 0; r < houses.length; r++) {
                assertClose(expected[r], answer.path("predictions").get(r).path("price"), "price " + r);
            }
        });
    }

    private static Call columnPredictions(Random random) {
        double[][] houses = houses(random, 1 + random.nextInt(4));
        int version = 1 + random.nextInt(2);
        ObjectNode body = object();
        String[] features = {"sqft", "rooms", "age"};
        for (int f = 0; f < features.length; f++) {
            ObjectNode column = body.putObject(features[f]);
            for (int r = 0; r < houses.length; r++) {
                column.put(Integer.toString(r), houses[r][f]);
            }
        }
        return new Call("predictions columns", "/predictions/house_price?version=" + version, text(body), answer -> {
            assertEquals(Integer.toString(version), answer.path("model_version").asText());
            assertAllClose(prices(version, houses), answer.path("predictions"), "predictions");
        });
    }

    private static Call predictSeries(Random random) {
        double[][] series = series(random, 1, 2 + random.nextInt(20));
        ObjectNode body = object().put("model_type", "LSTM").put("model_version", "latest");
        body.set("data", array(series[0]));
        return new Call("predict LSTM", "/predict", text(body),
                answer -> assertAllClose(forecasts(series), answer.path("predictions"), "forecast"));
    }

    private static Call predictClassifier(Random random) {
        double[][] transactions = transactions(random, 1 + random.nextInt(3));
        ObjectNode body = object().put("model_type", "classifier");
        body.set("data", rows(transactions));
        return new Call("predict classifier", "/predict", text(body), answer -> {
            for (int r = 0; r < transactions.length; r++) {
                assertAllClose(ReferenceModels.fraudProbabilities(transactions[r]), answer.path("predictions").get(r),
                        "probabilities " + r);
                String label = FRAUD_LABELS.get((int) ReferenceModels.fraudLabel(transactions[r]));
                assertEquals(label, answer.path("labels").get(r).asText(), "label " + r);
            }
        });
    }

    /** MLflow scoring of house_price/1, in one of its formats. */
    private static Call invocations(Random random) {
        double[][] houses = houses(random, 1 + random.nextInt(4));
        ObjectNode body = object();
        String format;
        switch (random.nextInt(5)) {
            case 0 -> {
                format = "dataframe_split";
                ObjectNode split = body.putObject("dataframe_split");
                split.putArray("columns").add("rooms").add("age").add("sqft");
                ArrayNode data = split.putArray("data");
                for (double[] h : houses) {
                    data.addArray().add(h[1]).add(h[2]).add(h[0]);
                }
            }
            case 1 -> {
                format = "dataframe_records";
                ArrayNode records = body.putArray("dataframe_records");
                for (double[] h : houses) {
                    records.addObject().put("sqft", h[0]).put("age", h[2]).put("rooms", h[1]);
                }
            }
            case 2 -> {
                format = "instances";
                body.set("instances", rows(houses));
            }
            case 3 -> {
                format = "inputs rows";
                body.set("inputs", rows(houses));
            }
            default -> {
                format = "inputs tensors";
                body.putObject("inputs").set("features", rows(houses));
            }
        }
        return new Call("invocations " + format, "/invocations", text(body),
                answer -> assertAllClose(prices(1, houses), answer.path("predictions"), "predictions"));
    }

    // --- Inputs and expected answers ---------------------------------------------------------

    /** Houses whose every value is exact in float32, so the reference sees what the model sees. */
    private static double[][] houses(Random random, int count) {
        double[][] houses = new double[count][];
        for (int r = 0; r < count; r++) {
            houses[r] = new double[] {
                Math.round((200 + random.nextDouble() * 4000) * 4) / 4.0,
                1 + random.nextInt(8),
                Math.round(random.nextDouble() * 400) / 4.0,
            };
        }
        return houses;
    }

    /**
     * Transactions in [-3, 3] in steps of 1/64, drawn again while the two classes' logits are so
     * close that float32 rounding could decide the label.
     */
    private static double[][] transactions(Random random, int count) {
        double[][] rows = new double[count][];
        for (int r = 0; r < count; r++) {
            double[] row;
            double[] logits;
            do {
                row = new double[4];
                for (int k = 0; k < 4; k++) {
                    row[k] = Math.round((random.nextDouble() * 6 - 3) * 64) / 64.0;
                }
                logits = ReferenceModels.fraudLogits(row);
            } while (Math.abs(logits[0] - logits[1]) < 1e-3);
            rows[r] = row;
        }
        return rows;
    }

    private static double[][] series(Random random, int count, int length) {
        double[][] series = new double[count][length];
        for (double[] s : series) {
            for (int t = 0; t < length; t++) {
                s[t] = (float) (random.nextDouble() * 2 - 1);
            }
        }
        return series;
    }

    private static double[] prices(int version, double[][] houses) {
        return OpenInferenceProtocolTest.housePrices(version, houses);
    }

    private static double[] forecasts(double[][] series) {
        double[] forecasts = new double[series.length];
        for (int s = 0; s < series.length; s++) {
            forecasts[s] = ReferenceModels.lstmForecast(series[s]);
        }
        return forecasts;
    }

    private static ObjectNode v2(ObjectNode... inputs) {
        ObjectNode body = object();
        ArrayNode list = body.putArray("inputs");
        for (ObjectNode input : inputs) {
            list.add(input);
        }
        return body;
    }
}
