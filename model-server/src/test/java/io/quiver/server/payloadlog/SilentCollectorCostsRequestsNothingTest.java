package io.quiver.server.payloadlog;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.Wire;
import io.restassured.http.ContentType;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every request is logged to a collector that never answers (see {@link SilentCollector}): the
 * requests are answered as fast as ever, the records beyond the sink's buffer are dropped and
 * counted, and the file sink beside it goes on writing.
 */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
@WithTestResource(SilentCollector.class)
class SilentCollectorCostsRequestsNothingTest {
    private static final int REQUESTS = 100;
    private static final String HOUSE = "{\"inputs\": [{\"name\": \"features\", \"datatype\": \"FP32\", "
            + "\"shape\": [1, 3], \"data\": [1200, 3, 10]}]}";
    private static final String FRAUD = "{\"inputs\": [{\"name\": \"features\", \"datatype\": \"FP32\", "
            + "\"shape\": [1, 4], \"data\": [250, 41, 3.5, 23]}]}";

    @Test
    void requestsKeepTheirLatencyAndTheDropsAreCounted() throws Exception {
        Wire.awaitReady();
        long[] logged = new long[REQUESTS];
        long[] unlogged = new long[REQUESTS];
        // A request that waited for the collector would wait out its minute-long timeout. The
        // unlogged model's requests, taken in turn with the logged ones, are the normal latency.
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < REQUESTS; i++) {
                logged[i] = timed("/v2/models/house_price/infer", HOUSE);
                unlogged[i] = timed("/v2/models/fraud_classifier/infer", FRAUD);
            }
        });
        Arrays.sort(logged);
        Arrays.sort(unlogged);
        double loggedMedian = logged[REQUESTS / 2] / 1e6;
        double unloggedMedian = unlogged[REQUESTS / 2] / 1e6;
        System.out.printf("%d requests each, the collector silent: logged median %.2f ms (slowest %.2f), "
                + "unlogged median %.2f ms (slowest %.2f)%n", REQUESTS, loggedMedian, logged[REQUESTS - 1] / 1e6,
                unloggedMedian, unlogged[REQUESTS - 1] / 1e6);
        assertTrue(logged[REQUESTS - 1] < Duration.ofSeconds(5).toNanos(), "slowest " + logged[REQUESTS - 1] / 1e6 + " ms");
        // Loose, for a shared machine: what is measured here is milliseconds against a minute.
        assertTrue(loggedMedian < 2 * unloggedMedian + 20, loggedMedian + " ms against " + unloggedMedian + " ms");

        // The sink holds its buffer and one batch in its stuck POST; every other record is dropped.
        double dropped = counter("http", "dropped");
        assertTrue(dropped >= REQUESTS - SilentCollector.BUFFER - SilentCollector.BATCH && dropped < REQUESTS,
                "dropped " + dropped);
        assertEquals(0, counter("http", "written"));
        await().atMost(Duration.ofSeconds(20)).alias("the file has every record its buffer took")
                .until(() -> counter("file", "written") + counter("file", "dropped") == REQUESTS);
        assertEquals((long) counter("file", "written"), Files.readAllLines(LoggingServer.file()).size());
    }

    private static long timed(String path, String body) {
        long started = System.nanoTime();
        given().contentType(ContentType.JSON).body(body).post(path).then().statusCode(200);
        return System.nanoTime() - started;
    }

    /** A payload log counter as /q/metrics shows it to an operator. */
    private static double counter(String sink, String outcome) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("quiver_payload_log_records_total\\{outcome=\"" + outcome + "\",sink=\"" + sink
                + "\"} ([0-9.eE+]+)").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
