package io.quiver.manager.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A/B experiments through real model-servers: house_price version 1 as variant a and version 2 as
 * variant b, behind reference document 001's endpoints. The split holds under load, sticky users
 * keep their variant, weights change under load without a failed request, failing shadows never
 * reach a client, a variant can be limited to chosen services, aggregates answer side by side,
 * and the experiments survive a restart of the manager.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshExperimentsIT {
    private static final int CLIENTS = 8;
    private static final Map<String, Integer> VERSIONS = Map.of("a", 1, "b", 2);
    private static final String SPLIT_80_20 = """
            {"variants": [
              {"name": "a", "model_type": "regression", "model_version": "1", "weight": 80},
              {"name": "b", "model_type": "regression", "model_version": "2", "weight": 20}],
             "sticky_header": "X-User-Id"}
            """;

    /**
     * Registered by the test, without a lease: a self-registered replica whose heartbeat stalls on a
     * busy machine would expire mid-test and turn into 404s that have nothing to do with experiments.
     */
    @RegisterExtension
    static final Mesh MESH = Mesh.withReplicas(3);

    @BeforeAll
    static void registerReplicasServingTheRegressionType() {
        for (ServiceProcess replica : MESH.replicas()) {
            Http.Answer answer = MESH.register(replica.name(), replica.uri().toString(), HousePrices.MODEL_TYPE);
            assertEquals(201, answer.status(), answer.toString());
        }
    }

    @Test
    @Order(1)
    void anEightyTwentySplitHoldsUnderLoadAndEachVariantRunsItsVersion() throws Exception {
        assertEquals(201, MESH.http().put(MESH.managerUri("/experiments/default"), SPLIT_80_20).status());
        Map<Long, String> variants = new ConcurrentHashMap<>();
        List<Load.Request> results;
        try (Load load = new Load(CLIENTS, 2_000, 7, (number, random) -> {
            double[] features = HousePrices.features(random);
            Http.Answer answer = MESH.http().post(MESH.managerUri("/api/v1/ab/predictions"), HousePrices.body(features));
            variants.put(number, String.valueOf(HousePrices.variant(answer)));
            return new Load.Result(answer, HousePrices.problem(answer, features, VERSIONS));
        }).start()) {
            load.awaitCompleted(2_000, Duration.ofSeconds(120));
            results = load.stop(Duration.ofSeconds(30));
        }
        Map<String, Integer> byVariant = count(variants.values());
        double shareOfA = 100.0 * byVariant.getOrDefault("a", 0) / results.size();
        System.out.printf("[mesh] split 80/20: %d requests, by variant %s (a %.2f%%), by replica %s, failures %d%n",
                results.size(), byVariant, shareOfA, Load.spread(results, r -> true), Load.failures(results).size());
        assertEquals(List.of(), Load.failures(results).stream().limit(10).toList());
        assertTrue(Math.abs(shareOfA - 80) <= 2, "variant a got " + shareOfA + "% of requests, not 80 +- 2");
        assertEquals(3, Load.spread(results, r -> true).size(), "each variant is balanced over every replica");

        JsonNode summary = MESH.http().getJson(MESH.managerUri("/experiments/default/summary"));
        assertEquals(byVariant.get("a"), summary.path("variants").path(0).path("requests").asInt(), summary.toString());
        assertEquals(0, summary.path("variants").path(0).path("errors").asInt(), summary.toString());
    }

    @Test
    @Order(2)
    void stickyUsersKeepTheirVariantWhileTheWeightsHold() throws IOException {
        Map<String, Set<String>> seen = new TreeMap<>();
        Random random = new Random(11);
        for (int round = 0; round < 3; round++) {
            for (int user = 0; user < 200; user++) {
                double[] features = HousePrices.features(random);
                Http.Answer answer = MESH.http().post(MESH.managerUri("/api/v1/ab/predictions"), HousePrices.body(features),
                        "X-User-Id", "user-" + user);
                assertEquals(null, HousePrices.problem(answer, features, VERSIONS));
                seen.computeIfAbsent("user-" + user, u -> new java.util.TreeSet<>()).add(HousePrices.variant(answer));
            }
        }
        long onA = seen.values().stream().filter(v -> v.equals(Set.of("a"))).count();
        System.out.printf("[mesh] sticky: 200 users x 3 requests, %d on a, %d on b%n", onA,
                seen.values().stream().filter(v -> v.equals(Set.of("b"))).count());
        seen.forEach((user, variantsSeen) -> assertEquals(1, variantsSeen.size(), user + " saw " + variantsSeen));
        assertTrue(onA > 130 && onA < 190, onA + " of 200 users on a; 80% expected");
    }

    @Test
    @Order(3)
    void aVariantLimitedToServicesIsAnsweredByThoseAlone() throws IOException {
        Http.Answer put = MESH.http().put(MESH.managerUri("/experiments/default"), SPLIT_80_20.replace(
                "\"model_version\": \"2\",", "\"model_version\": \"2\", \"services\": [\"replica-2\"],"));
        assertEquals(200, put.status(), put.toString());
        Random random = new Random(5);
        Map<String, Integer> servedBy = new TreeMap<>();
        for (int i = 0; i < 30; i++) {
            double[] features = HousePrices.features(random);
            Http.Answer answer = MESH.http().post(MESH.managerUri("/api/v1/models/b/predictions"), HousePrices.body(features));
            assertEquals(null, HousePrices.problem(answer, features, VERSIONS));
            servedBy.merge(answer.servedBy(), 1, Integer::sum);
        }
        assertEquals(Map.of("replica-2", 30), servedBy);
        MESH.http().put(MESH.managerUri("/experiments/default"), SPLIT_80_20);
    }

    @Test
    @Order(4)
    void changingWeightsUnderLoadFailsNoRequest() throws Exception {
        long[] lastChangeIssued = {Long.MAX_VALUE};
        Map<Long, String> variants = new ConcurrentHashMap<>();
        List<Load.Request> results;
        try (Load load = new Load(CLIENTS, 20_000, 13, (number, random) -> {
            double[] features = HousePrices.features(random);
            Http.Answer answer = number % 2 == 0
                    ? MESH.http().post(MESH.managerUri("/api/v1/ab/predictions"), HousePrices.body(features))
                    : MESH.http().post(MESH.managerUri("/api/v1/ab/predictions"), HousePrices.body(features),
                    "X-User-Id", "user-" + (number % 500));
            variants.put(number, String.valueOf(HousePrices.variant(answer)));
            return new Load.Result(answer, HousePrices.problem(answer, features, VERSIONS));
        }).start()) {
            load.awaitCompleted(300, Duration.ofSeconds(60));
            for (String weights : List.of("{\"a\": 70, \"b\": 30}", "{\"a\": 50, \"b\": 50}", "{\"a\": 0, \"b\": 100}")) {
                Http.Answer changed = MESH.http().patch(MESH.managerUri("/experiments/default"), "{\"weights\": " + weights + "}");
                assertEquals(200, changed.status(), changed.toString());
                lastChangeIssued[0] = load.issued();
                load.awaitCompleted(load.completed() + 300, Duration.ofSeconds(60));
            }
            results = load.stop(Duration.ofSeconds(30));
        }
        Map<String, Integer> afterLast = count(variants.entrySet().stream()
                .filter(e -> e.getKey() >= lastChangeIssued[0] + CLIENTS).map(Map.Entry::getValue).toList());
        System.out.printf("[mesh] weight changes under load: %d requests, failures %d, after 0/100: %s%n",
                results.size(), Load.failures(results).size(), afterLast);
        assertEquals(List.of(), Load.failures(results).stream().limit(10).toList(),
                Load.failures(results).size() + " requests failed while the weights changed");
        assertEquals(Set.of("b"), afterLast.keySet(), "requests after the change to 0/100 all go to b");
    }

    @Test
    @Order(5)
    void anAggregateAnswersSideBySideCombinesAndListsWhatFailed() throws IOException {
        MESH.http().put(MESH.managerUri("/experiments/default"), SPLIT_80_20);
        double[] features = {1200, 3, 10};
        double mean = (io.quiver.examples.ReferenceModels.housePrice(1, features)[0]
                + io.quiver.examples.ReferenceModels.housePrice(2, features)[0]) / 2;
        String body = HousePrices.body(features).replace("{\"features\"", "{\"experiment\": \"default\", "
                + "\"combine\": \"mean\", \"features\"");
        Http.Answer both = MESH.http().post(MESH.managerUri("/predict/aggregate"), body);
        assertEquals(200, both.status(), both.toString());
        assertEquals(2, both.json().path("answers").size(), both.body());
        assertEquals(mean, both.json().path("combined").path("predictions").path(0).asDouble(), Math.abs(mean) * 1e-4,
                both.body());

        Http.Answer partial = MESH.http().post(MESH.managerUri("/predict/aggregate"),
                "{\"model_types\": [\"regression\", \"no_such_type\"], \"model_version\": \"1\", \"combine\": \"mean\", "
                        + HousePrices.body(features).substring(1).replace("\"features\"", "\"data\""));
        assertEquals(200, partial.status(), partial.toString());
        assertEquals(1, partial.json().path("answers").size(), partial.body());
        assertEquals("no_such_type", partial.json().path("failures").path(0).path("name").asText(), partial.body());
        assertEquals(404, partial.json().path("failures").path(0).path("status").asInt(), partial.body());
    }

    @Test
    @Order(6)
    void failingShadowsNeverReachTheClient() throws Exception {
        Http.Answer put = MESH.http().put(MESH.managerUri("/experiments/default"), """
                {"variants": [{"name": "a", "model_type": "regression", "model_version": "1", "weight": 1}],
                 "shadow": [
                   {"name": "same", "model_type": "regression", "model_version": "1"},
                   {"name": "no_type", "model_type": "no_such_type"},
                   {"name": "no_version", "model_type": "regression", "model_version": "9"},
                   {"name": "killed", "model_type": "regression", "services": ["replica-3"]}]}
                """);
        assertEquals(200, put.status(), put.toString());
        MESH.replica("replica-3").kill();
        int requests = 400;
        List<Load.Request> results;
        try (Load load = new Load(CLIENTS, requests, 17, (number, random) -> {
            double[] features = HousePrices.features(random);
            Http.Answer answer = MESH.http().post(MESH.managerUri("/api/v1/ab/predictions"), HousePrices.body(features));
            String problem = HousePrices.problem(answer, features, VERSIONS);
            if (problem == null && (answer.body().contains("shadow") || answer.body().contains("no_such_type"))) {
                problem = "a shadow's answer reached the client: " + answer.body();
            }
            return new Load.Result(answer, problem);
        }).start()) {
            load.awaitCompleted(requests, Duration.ofSeconds(120));
            results = load.stop(Duration.ofSeconds(30));
        }
        JsonNode summary = Mesh.await("every shadow copy recorded", Duration.ofSeconds(30), () -> {
            JsonNode now = MESH.http().getJson(MESH.managerUri("/experiments/default/summary"));
            boolean all = StreamSupport.stream(now.path("shadow").spliterator(), false)
                    .allMatch(s -> s.path("requests").asInt() + s.path("dropped").asInt() == requests);
            return all ? Optional.of(now) : Optional.empty();
        });
        Map<String, JsonNode> shadows = new HashMap<>();
        summary.path("shadow").forEach(s -> shadows.put(s.path("name").asText(), s));
        System.out.printf("[mesh] shadows: %d client requests, failures %d, max latency %d ms; %s%n", results.size(),
                Load.failures(results).size(), Load.maxLatencyMillis(results), summary.path("shadow"));
        assertEquals(List.of(), Load.failures(results).stream().limit(10).toList());
        for (String failing : List.of("no_type", "no_version", "killed")) {
            JsonNode shadow = shadows.get(failing);
            assertEquals(shadow.path("requests").asInt(), shadow.path("errors").asInt(), failing + " failed every copy: " + shadow);
            assertTrue(shadow.path("requests").asInt() > 0, failing + " got copies: " + shadow);
        }
        JsonNode same = shadows.get("same");
        assertEquals(0, same.path("errors").asInt(), same.toString());
        assertTrue(same.path("compared").asInt() > 0, same.toString());
        assertEquals(1.0, same.path("agreement").asDouble(), same.toString());
        String metrics = MESH.http().get(MESH.managerUri("/q/metrics")).body();
        assertTrue(metrics.contains("quiver_manager_experiment_shadow_comparisons_total{experiment=\"default\","
                + "result=\"agree\",variant=\"same\"}"), "agreement is in the Prometheus metrics");
    }

    @Test
    @Order(7)
    void experimentsSurviveARestartOfTheManager() throws IOException {
        JsonNode before = MESH.http().getJson(MESH.managerUri("/experiments/default"));
        MESH.restartManager();
        assertEquals(before, MESH.http().getJson(MESH.managerUri("/experiments/default")));
    }

    private static Map<String, Integer> count(java.util.Collection<String> values) {
        Map<String, Integer> counts = new TreeMap<>();
        values.forEach(v -> counts.merge(v, 1, Integer::sum));
        return counts;
    }
}
