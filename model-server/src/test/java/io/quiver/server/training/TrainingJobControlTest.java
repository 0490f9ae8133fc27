package io.quiver.server.training;

import static io.quiver.server.training.JobsClient.body;
import static io.quiver.server.training.JobsClient.config;
import static io.quiver.server.training.JobsClient.rows;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.examples.ReferenceModels;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.Wire;
import io.restassured.response.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Jobs as the server runs them: cancelled while running or queued they publish nothing, a full
 * queue answers 503, inference keeps answering while a job trains, and a version appears whole or
 * not at all.
 */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
class TrainingJobControlTest {
    private final List<String> started = new ArrayList<>();

    /** A job that would train for minutes: 100,000 epochs over 4,000 training rows (of 5,000). */
    private ObjectNode longJob(String modelType) {
        ObjectNode config = config("linear-regression");
        config.set("data", rows(5_000, 4, 0.1, (a, b) -> a + b));
        config.put("target", "y");
        config.set("hyperparameters", Wire.object().put("epochs", 100_000));
        return body(modelType, config);
    }

    private String submit(ObjectNode body) {
        String id = JobsClient.submit(body);
        started.add(id);
        return id;
    }

    @AfterEach
    void stopWhatIsLeft() {
        started.forEach(JobsClient::stop);
    }

    @Test
    void aRunningJobCancelledStopsAndPublishesNothing() {
        String id = submit(longJob("trained_cancelled"));
        JsonNode running = JobsClient.awaitJob(id, j -> j.path("progress").asDouble() > 0, JobsClient.DEADLINE);
        assertEquals("running", running.path("state").asText(), running::toString);

        Response cancel = given().delete("/train/" + id);
        assertEquals(200, cancel.statusCode(), cancel::asString);
        JsonNode job = JobsClient.awaitFinished(id);
        assertEquals("cancelled", job.path("state").asText(), job::toString);
        assertTrue(job.path("progress").asDouble() < 0.9, job::toString);
        assertFalse(job.has("version"), job::toString);
        assertNotNull(job.path("finished_at").textValue(), job::toString);

        assertFalse(Files.exists(ExampleRepository.root().resolve("trained_cancelled/1")));
        given().get("/v2/models/trained_cancelled").then().statusCode(404);
        assertTrue(emptyOrAbsent(ExampleRepository.root().resolve(ModelPublisher.STAGING)));
    }

    @Test
    void aFullQueueAnswers503AndQueuedJobsCancelAtOnce() {
        String first = submit(longJob("trained_queue"));
        JobsClient.awaitJob(first, j -> j.path("state").asText().equals("running"), JobsClient.DEADLINE);
        ObjectNode body = longJob("trained_queue");
        Response refused = null;
        // One worker runs the first job; quiver.training.max-queued (8) more wait; the next is refused.
        for (int i = 0; i < 12 && refused == null; i++) {
            Response response = JobsClient.post(body);
            if (response.statusCode() == 202) {
                started.add(Wire.read(response.asString()).path("job_id").asText());
            } else {
                refused = response;
            }
        }
        assertNotNull(refused, "12 long jobs were all queued");
        assertEquals(503, refused.statusCode(), refused.asString());
        assertEquals("30", refused.header("Retry-After"));
        assertTrue(refused.asString().contains("quiver.training.max-queued is 8"), refused.asString());
        assertTrue(started.size() >= 8, () -> "queued " + started);

        String queued = started.get(started.size() - 1);
        assertEquals("queued", JobsClient.job(queued).path("state").asText());
        JsonNode cancelled = Wire.read(given().delete("/train/" + queued).then().statusCode(200).extract().asString());
        assertEquals("cancelled", cancelled.path("state").asText(), cancelled::toString);
        assertTrue(cancelled.path("started_at").isNull(), cancelled::toString);
        // Its place in the queue is free again.
        String another = submit(body);
        assertEquals("queued", JobsClient.job(another).path("state").asText());

        started.forEach(JobsClient::stop);
        for (String id : started) {
            assertEquals("cancelled", JobsClient.job(id).path("state").asText(), id);
        }
        assertFalse(Files.exists(ExampleRepository.root().resolve("trained_queue/1")));
    }

    @Test
    void inferenceKeepsAnsweringWhileAJobTrains() {
        long[] idle = predictHousePrices(200, 5);
        String id = submit(longJob("trained_busy"));
        JobsClient.awaitJob(id, j -> j.path("progress").asDouble() > 0, JobsClient.DEADLINE);
        long[] busy = predictHousePrices(200, 6);
        JsonNode job = JobsClient.job(id);
        assertEquals("running", job.path("state").asText(), "the job ran throughout: " + job);
        System.out.println("/predict latency, ms (median, 95th percentile, slowest of 200): without training "
                + percentiles(idle) + ", while training " + percentiles(busy) + "; job at " + job.path("progress"));
        // A generous bound that still catches inference waiting on training: a training job holding the
        // inference threads would add its whole run to the median.
        assertTrue(busy[busy.length / 2] < Math.max(50_000_000L, 10 * idle[idle.length / 2]),
                () -> "median while training " + percentiles(busy) + " against " + percentiles(idle));
    }

    /** Sends {@code count} house-price predictions, each checked against the reference; sorted latencies. */
    private static long[] predictHousePrices(int count, long seed) {
        Random random = new Random(seed);
        long[] latencies = new long[count];
        for (int i = 0; i < count; i++) {
            double[] row = {random.nextDouble() * 3, 1 + random.nextInt(5), random.nextInt(50)};
            ObjectNode features = Wire.object().put("sqft", row[0]).put("rooms", row[1]).put("age", row[2]);
            long start = System.nanoTime();
            JsonNode answer = JobsClient.predict("house_price", features);
            latencies[i] = System.nanoTime() - start;
            double expected = ReferenceModels.housePrice(2, row)[0];
            assertEquals(expected, answer.path("predictions").get(0).asDouble(), 1e-3 * Math.max(1, Math.abs(expected)),
                    answer::toString);
        }
        java.util.Arrays.sort(latencies);
        return latencies;
    }

    private static String percentiles(long[] sorted) {
        return String.format("%.1f / %.1f / %.1f", sorted[sorted.length / 2] / 1e6, sorted[sorted.length * 95 / 100] / 1e6,
                sorted[sorted.length - 1] / 1e6);
    }

    @Test
    void aVersionAppearsWholeOrNotAtAll() throws Exception {
        Path modelDir = ExampleRepository.root().resolve("trained_atomic");
        AtomicBoolean watching = new AtomicBoolean(true);
        AtomicInteger scans = new AtomicInteger();
        List<String> partial = new CopyOnWriteArrayList<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        Thread watcher = new Thread(() -> {
            while (watching.get()) {
                for (Path version : children(modelDir)) {
                    boolean onnx = Files.isRegularFile(version.resolve("model.onnx"));
                    boolean json = Files.isRegularFile(version.resolve("model.json"));
                    if (!onnx || !json) {
                        partial.add(version + " onnx=" + onnx + " json=" + json);
                    } else if (!seen.contains(version.getFileName().toString())) {
                        seen.add(version.getFileName().toString());
                    }
                }
                scans.incrementAndGet();
            }
        }, "version-watcher");
        watcher.start();
        try {
            ObjectNode config = config("factorization-machine");
            config.set("data", rows(2_000, 8, 0.01, (a, b) -> a * b));
            config.put("target", "y");
            config.set("hyperparameters", Wire.object().put("epochs", 20));
            for (int round = 0; round < 3; round++) {
                JsonNode job = JobsClient.train(body("trained_atomic", config));
                assertEquals(String.valueOf(round + 1), job.path("version").asText(), job::toString);
            }
        } finally {
            watching.set(false);
            watcher.join();
        }
        System.out.println("watcher scanned " + scans.get() + " times, saw versions " + seen);
        assertTrue(partial.isEmpty(), () -> "partial versions seen: " + partial);
        assertEquals(List.of("1", "2", "3"), seen);
        assertTrue(emptyOrAbsent(ExampleRepository.root().resolve(ModelPublisher.STAGING)));
    }

    private static List<Path> children(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static boolean emptyOrAbsent(Path dir) {
        return children(dir).isEmpty();
    }
}
