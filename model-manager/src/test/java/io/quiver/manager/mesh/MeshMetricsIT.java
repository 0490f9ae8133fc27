package io.quiver.manager.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Grafana dashboard (deploy/grafana/dashboards/quiver.json) and the alert rules
 * (deploy/prometheus/alerts.yml) query only metrics the services export: a manager and two
 * model-servers take forecasts, one replica is killed so that the manager retries and marks it out
 * of rotation, and then every metric name in every PromQL expression must be in the /q/metrics of
 * the manager or of the model-server still running. A panel whose metric was renamed or never
 * existed fails here instead of showing "No data" in production.
 */
class MeshMetricsIT {
    private static final String VICTIM = "replica-2";

    @RegisterExtension
    static final Mesh MESH = Mesh.withReplicas(2).registered();

    @Test
    void everyMetricTheDashboardAndTheAlertsQueryIsExported() throws Exception {
        Random random = new Random(20);
        for (int i = 0; i < 20; i++) {
            Http.Answer answer = MESH.http().post(MESH.managerUri("/predict"), Forecasts.body(Forecasts.series(random)));
            assertEquals(200, answer.status(), answer.toString());
        }
        MESH.replica(VICTIM).kill();
        // Requests the manager still sends to the killed replica fail to connect and are retried on
        // the other, until health checks take it out of rotation.
        Mesh.await("a request retried after " + VICTIM + " was killed", Duration.ofSeconds(30), () -> {
            for (int i = 0; i < 10; i++) {
                try {
                    MESH.http().post(MESH.managerUri("/predict"), Forecasts.body(Forecasts.series(random)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return MESH.retries() > 0;
        });
        String outOfRotation = Mesh.await(VICTIM + " out of rotation in the manager's metrics", Duration.ofSeconds(15),
                () -> scrape(MESH.managerUri("/q/metrics")).lines()
                        .filter(line -> line.startsWith("quiver_manager_service_health{")
                                && line.contains("service=\"" + VICTIM + "\"") && line.endsWith(" 1.0"))
                        .filter(line -> !line.contains("state=\"healthy\""))
                        .findFirst());

        String managerMetrics = scrape(MESH.managerUri("/q/metrics"));
        String serverMetrics = scrape(MESH.replica("replica-1").uri("/q/metrics"));
        Set<String> exported = new TreeSet<>(names(managerMetrics));
        exported.addAll(names(serverMetrics));

        Path deploy = Path.of(System.getProperty("quiver.deploy-dir", "../deploy"));
        Map<String, Set<String>> queried = new LinkedHashMap<>();
        PromQlNames.ofDashboard(new ObjectMapper().readTree(deploy.resolve("grafana/dashboards/quiver.json").toFile()))
                .forEach((place, names) -> queried.put("quiver.json " + place, names));
        for (JsonNode group : new ObjectMapper(new YAMLFactory()).readTree(deploy.resolve("prometheus/alerts.yml").toFile())
                .path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                queried.put("alerts.yml " + rule.path("alert").asText(), PromQlNames.of(rule.path("expr").asText()));
            }
        }

        Map<String, Set<String>> missing = new TreeMap<>();
        queried.forEach((place, names) -> {
            assertFalse(names.isEmpty(), place + " queries no metric that could be found");
            Set<String> absent = new TreeSet<>(names);
            absent.removeAll(exported);
            if (!absent.isEmpty()) {
                missing.put(place, absent);
            }
        });
        assertEquals(Map.of(), missing, "queried but not exported by the manager or a model-server");

        assertTrue(serverMetrics.lines().anyMatch(line -> line.startsWith("quiver_cache_memory_budget_bytes ")
                && Double.parseDouble(line.substring(line.indexOf(' ') + 1)) > 0), "the model-server exports its memory budget");
        Set<String> checked = new TreeSet<>();
        queried.values().forEach(checked::addAll);
        System.out.printf("[mesh] metrics: %d expressions read %d metric names, all exported; %s%n",
                queried.size(), checked.size(), outOfRotation);
    }

    private static String scrape(URI uri) {
        try {
            Http.Answer answer = MESH.http().get(uri);
            assertEquals(200, answer.status(), uri + " answered " + answer);
            return answer.body();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + uri, e);
        }
    }

    /** The metric names of the samples of a Prometheus text exposition. */
    private static Set<String> names(String exposition) {
        Set<String> names = new TreeSet<>();
        exposition.lines().filter(line -> !line.isBlank() && !line.startsWith("#"))
                .forEach(line -> names.add(line.split("[{ ]", 2)[0]));
        return names;
    }
}
