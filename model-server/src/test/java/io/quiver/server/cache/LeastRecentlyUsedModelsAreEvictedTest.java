package io.quiver.server.cache;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.examples.ReferenceModels;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.TightLimits;
import io.quiver.server.testing.Wire;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Under a 1000-byte budget the 2446 bytes of example models cannot all be resident: using a model
 * makes it resident again, evicting the least recently used ones, and listings say which are.
 */
@QuarkusTest
@TestProfile(TightLimits.class)
@WithTestResource(ExampleRepository.class)
class LeastRecentlyUsedModelsAreEvictedTest {

    @Test
    void residentModelsNeverExceedTheBudget() {
        // Loading runs in the background (and warms each model up), so readiness comes a moment after start.
        Wire.awaitReady();
        JsonPath models = given().get("/v1/models").then().statusCode(200).extract().jsonPath();
        List<Boolean> resident = models.getList("models.resident");
        List<Integer> sizes = models.getList("models.size_bytes");
        long residentBytes = 0;
        for (int i = 0; i < resident.size(); i++) {
            residentBytes += resident.get(i) ? sizes.get(i) : 0;
        }
        assertTrue(residentBytes <= 1000, "resident bytes " + residentBytes);
        assertTrue(resident.contains(false), "with 2446 bytes of models some must be evicted");
        // The listing says how full the budget is, as the manager's dashboard shows it.
        assertEquals(1000L, models.getLong("memory.budget_bytes"));
        assertEquals(residentBytes, models.getLong("memory.resident_bytes"));
        // And so do the metrics, for Prometheus and the Grafana dashboard.
        assertEquals(1000, metric("quiver_cache_memory_budget_bytes"));
        assertEquals(residentBytes, metric("quiver_cache_memory_used_bytes"));
        assertEquals(resident.stream().filter(r -> r).count(), metric("quiver_cache_resident_models"));
        assertTrue(metric("quiver_cache_evictions_total") > 0, "the evictions are counted");
    }

    private static double metric(String name) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(line -> line.startsWith(name + " ")).findFirst()
                .map(line -> Double.parseDouble(line.substring(name.length() + 1)))
                .orElseThrow(() -> new AssertionError(name + " is not exported"));
    }

    @Test
    void theLeastRecentlyUsedGoFirstAndComeBackOnTheirNextRequest() {
        price("1");
        price("2");
        fraud();
        assertEquals(Set.of("house_price:1", "house_price:2", "fraud_classifier:1"), resident());

        // house_price:1 becomes the most recent, so making room for multi_input (728 bytes) evicts
        // house_price:2 and then fraud_classifier, the two least recently used, and keeps it.
        price("1");
        multiInput();
        assertEquals(Set.of("house_price:1", "multi_input:1"), resident());
        // An evicted version keeps no inference thread waiting; a resident one keeps its thread
        // until it has been idle for quiver.workers.idle-timeout (60 s).
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertEquals(0, liveWorkers("fraud_classifier:1"));
            assertEquals(0, liveWorkers("house_price:2"));
        });
        assertEquals(1, liveWorkers("house_price:1"));

        // An evicted model answers again, correctly, by being loaded on demand.
        fraud();
        assertTrue(resident().contains("fraud_classifier:1"));
    }

    private static void price(String version) {
        float price = given().contentType(ContentType.JSON)
                .body(Map.of("model_id", "house_price", "model_version", version, "inputs", List.of(List.of(1, 2, 3))))
                .post("/v1/infer").then().statusCode(200).extract().path("predictions[0].price");
        assertEquals(ReferenceModels.housePrice(Integer.parseInt(version), new double[] {1, 2, 3})[0], price, 1e-4);
    }

    private static void fraud() {
        List<Float> p = given().contentType(ContentType.JSON)
                .body(Map.of("model_type", "fraud_classifier", "data", List.of(1, 2, 3, 4)))
                .post("/predict").then().statusCode(200).extract().path("predictions[0]");
        assertEquals(ReferenceModels.fraudProbabilities(new double[] {1, 2, 3, 4})[1], p.get(1), 1e-4);
    }

    private static void multiInput() {
        given().contentType(ContentType.JSON)
                .body(Map.of("model_type", "multi_input", "data", Map.of(
                        "a", List.of(1.0, 2.0), "b", List.of(1, 2), "c", List.of(3, 4),
                        "d", List.of(0.5, 0.25), "mask", List.of(true, false))))
                .post("/predict").then().statusCode(200);
    }

    private static int liveWorkers(String version) {
        List<Map<String, Object>> all = given().get("/v1/models").then().statusCode(200).extract().jsonPath().getList("models");
        return all.stream().filter(m -> version.equals(m.get("name") + ":" + m.get("version")))
                .map(m -> (Integer) m.get("live_workers")).findFirst().orElseThrow();
    }

    private static Set<String> resident() {
        JsonPath models = given().get("/v1/models").then().statusCode(200).extract().jsonPath();
        Set<String> names = new TreeSet<>();
        List<Map<String, Object>> all = models.getList("models");
        for (Map<String, Object> model : all) {
            if (Boolean.TRUE.equals(model.get("resident"))) {
                names.add(model.get("name") + ":" + model.get("version"));
            }
        }
        return names;
    }
}
