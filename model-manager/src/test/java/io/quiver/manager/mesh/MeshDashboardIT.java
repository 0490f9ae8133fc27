package io.quiver.manager.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.examples.ExampleModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dashboard in a real browser (headless Chromium) against a running mesh with the API behind
 * tokens: the page asks for the control token, then shows the services, the models each replica
 * holds with the memory budget they use, and a training job until it has finished; a replica killed with SIGKILL turns unhealthy on the page within a few health-check
 * intervals; a weight changed on the page, and confirmed, reaches the experiment. A screenshot of
 * the page is written to target/screenshots/.
 */
@EnabledIf(value = "io.quiver.manager.mesh.Browser#available",
        disabledReason = "needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver); .ci/run installs them")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshDashboardIT {
    private static final String CONTROL_TOKEN = "dashboard-control-token";
    private static final Duration PAGE = Duration.ofSeconds(20);
    /**
     * Two failed checks a second apart make a service unhealthy; the page asks again every second:
     * a few seconds, with room for a busy machine, and far less than the 30 s ejection or lease times.
     */
    private static final Duration UNHEALTHY_ON_THE_PAGE = Duration.ofSeconds(8);

    @RegisterExtension
    static final Mesh MESH = Mesh.withReplicas(2).withApiTokens(CONTROL_TOKEN, "dashboard-data-token");

    private static Browser browser;
    private static String trainingJob;

    @BeforeAll
    static void registerAnExperimentAndOpenTheDashboard() throws IOException {
        for (ServiceProcess replica : MESH.replicas()) {
            // replica-1 also trains, so the page has a training job to show.
            List<String> capabilities = replica.name().equals("replica-1") ? List.of("prediction", "training")
                    : List.of("prediction");
            Http.Answer answer = MESH.register(replica.name(), replica.uri().toString(), HousePrices.MODEL_TYPE,
                    capabilities);
            assertEquals(201, answer.status(), answer.toString());
        }
        Http.Answer submitted = MESH.http().post(MESH.managerUri("/train"),
                MeshTrainingThroughTheManagerIT.job("dashboard_forecast", 100));
        assertEquals(202, submitted.status(), submitted.toString());
        trainingJob = submitted.json().path("job_id").asText();
        Http.Answer created = MESH.http().put(MESH.managerUri("/experiments/default"), """
                {"variants": [
                  {"name": "a", "model_type": "regression", "model_version": "1", "weight": 80},
                  {"name": "b", "model_type": "regression", "model_version": "2", "weight": 20}]}
                """);
        assertEquals(201, created.status(), created.toString());
        Random random = new Random(7);
        for (int i = 0; i < 40; i++) {
            Http.Answer answer = MESH.http().post(MESH.managerUri("/api/v1/ab/predictions"),
                    HousePrices.body(HousePrices.features(random)));
            assertEquals(200, answer.status(), answer.toString());
        }
        browser = Browser.start(outputDir().resolve("browser"), 1400, 1900);
    }

    @AfterAll
    static void closeTheBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    @Order(1)
    void thePageAsksForTheControlTokenThenShowsTheServicesAndTheirModels() {
        browser.open(MESH.managerUri("/dashboard"));
        String tokenField = browser.await("#token-form:not([hidden]) #token", PAGE);
        browser.type(tokenField, CONTROL_TOKEN);
        browser.click(browser.await("#token-form button[type=submit]", PAGE));

        Mesh.await("both replicas shown healthy", PAGE, () -> serviceStates().equals(
                Map.of("replica-1", "healthy", "replica-2", "healthy")));
        for (String replica : new String[] {"replica-1", "replica-2"}) {
            browser.await("#models tr[data-service='" + replica + "'][data-model='" + ExampleModels.HOUSE_PRICE
                    + "'][data-version='2']", PAGE);
        }
        String residency = browser.run("return document.querySelector(\"#models tr[data-service='replica-1'][data-model='"
                + ExampleModels.HOUSE_PRICE + "'] .badge\").textContent").asText();
        assertTrue(residency.equals("resident") || residency.equals("evicted"), "residency shown as " + residency);
        browser.await("#models tr[data-service='replica-1'][data-memory='budget'] meter", PAGE);
        String budget = browser.run("return document.querySelector(\"#models tr[data-service='replica-1'][data-memory='budget']\")"
                + ".textContent").asText();
        assertTrue(budget.contains(" of 512.0 MiB"), "the memory budget used, against the default 512M: " + budget);
        String job = "#training tr[data-job='" + trainingJob + "']";
        browser.await(job + " progress", PAGE);
        Mesh.await("the training job shown finished", Duration.ofSeconds(90), () -> browser.run(
                "return document.querySelector(\"" + job + " .badge\").textContent").asText().equals("succeeded"));
        assertEquals("1", browser.run("return document.querySelector(\"" + job + " progress\").value").asText());
        String requests = browser.run("return document.querySelector("
                + "\"#experiments [data-experiment='default'] tr[data-variant='a'] .requests\").textContent").asText();
        assertTrue(Integer.parseInt(requests) > 0, "variant a's requests shown as " + requests);
    }

    @Test
    @Order(2)
    void aWeightChangedOnThePageReachesTheExperiment() {
        String weightOfA = browser.await("#experiments input[data-experiment='default'][data-variant='a']", PAGE);
        String weightOfB = browser.await("#experiments input[data-experiment='default'][data-variant='b']", PAGE);
        browser.typeOver(weightOfA, "55");
        browser.typeOver(weightOfB, "45");
        browser.click(browser.await("button[data-action='change-weights'][data-experiment='default']", PAGE));
        // Nothing is sent before the confirmation.
        assertEquals(Map.of("a", 80, "b", 20), weights());
        browser.click(browser.await("button[data-action='confirm-weights'][data-experiment='default']", PAGE));

        Mesh.await("the new weights in the experiment", PAGE, () -> weights().equals(Map.of("a", 55, "b", 45)));
        Mesh.await("the page to show the new share", PAGE, () -> browser.run("return document.querySelector("
                + "\"#experiments [data-experiment='default'] tr[data-variant='a'] .share\").textContent").asText()
                .equals("55.0%"));
    }

    @Test
    @Order(3)
    void aReplicaKilledWithSigkillTurnsUnhealthyOnThePage() throws IOException {
        MESH.replica("replica-2").kill();
        long killed = System.nanoTime();
        Mesh.await("replica-2 shown unhealthy", UNHEALTHY_ON_THE_PAGE, () -> "unhealthy".equals(serviceStates().get("replica-2")));
        System.out.printf("[mesh] replica-2 shown unhealthy on the dashboard %d ms after SIGKILL%n",
                (System.nanoTime() - killed) / 1_000_000);
        assertEquals("healthy", serviceStates().get("replica-1"));
        browser.await("#events li[data-kind='unhealthy']", PAGE);

        Path screenshot = outputDir().resolve("dashboard.png");
        Files.write(screenshot, browser.screenshot());
        System.out.println("[mesh] dashboard screenshot: " + screenshot.toAbsolutePath());
        assertTrue(Files.size(screenshot) > 10_000, "a screenshot of the page, not an empty image");
    }

    private static Map<String, String> serviceStates() {
        JsonNode rows = browser.run("return Array.from(document.querySelectorAll('#services tr[data-service]'))"
                + ".map(row => [row.dataset.service, row.dataset.state])");
        Map<String, String> states = new TreeMap<>();
        rows.forEach(row -> states.put(row.get(0).asText(), row.get(1).asText()));
        return states;
    }

    private static Map<String, Integer> weights() {
        Map<String, Integer> weights = new TreeMap<>();
        MESH.http().getJson(MESH.managerUri("/experiments/default")).path("variants")
                .forEach(v -> weights.put(v.path("name").asText(), v.path("weight").asInt()));
        return weights;
    }

    private static Path outputDir() throws IOException {
        Path dir = Path.of(System.getProperty("quiver.screenshots-dir", "target/screenshots"));
        Files.createDirectories(dir);
        return dir;
    }
}
